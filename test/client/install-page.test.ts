// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import InstallPage from '../../client/pages/InstallPage.vue'
import { B24ActionError } from '../../client/composables/useB24'
import { fakeB24, partlyGranted, stubApi } from './support/fakes'
import { mountKeycard } from './support/mount'

afterEach(() => {
  document.body.innerHTML = ''
})

describe('InstallPage', () => {
  it('frames the scopes as requested vs granted and warns about the missing one', async () => {
    const wrapper = mountKeycard(InstallPage, { api: stubApi(partlyGranted), b24: fakeB24({ isInstallMode: true }).b24 })
    await flushPromises()

    expect(wrapper.find('h1').text()).toBe('Welcome to Keycard')
    const headers = wrapper.findAll('thead th').map((th) => th.text())
    expect(headers).toContain('Requested scope')
    expect(headers).toContain('Granted by your portal')
    expect(wrapper.find('[data-testid="unavailable-features"]').text()).toContain('Some requested scopes were not granted')
    expect(wrapper.findAll('[data-status="missing"]')).toHaveLength(1)
  })

  it('finishes the installation through the composable and shows progress, then success', async () => {
    const { b24 } = fakeB24({ isInstallMode: true })
    let answer: () => void = () => {}
    b24.installFinish.mockReturnValue(new Promise<void>((resolve) => (answer = resolve)))
    const wrapper = mountKeycard(InstallPage, { api: stubApi(partlyGranted), b24 })
    await flushPromises()

    const button = wrapper.find('[data-testid="finish-install"]')
    expect(button.attributes('disabled')).toBeUndefined()
    await button.trigger('click')

    expect(b24.installFinish).toHaveBeenCalledTimes(1)
    expect(wrapper.find('[data-testid="finish-install"]').attributes('disabled')).toBeDefined()

    answer()
    await flushPromises()
    expect(wrapper.find('[data-testid="install-finished"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="finish-install"]').attributes('disabled')).toBeDefined()
  })

  it('shows an error and lets the admin try again when installFinish rejects', async () => {
    const { b24 } = fakeB24({ isInstallMode: true })
    b24.installFinish.mockRejectedValueOnce(new B24ActionError('failed', 'portal refused'))
    const wrapper = mountKeycard(InstallPage, { api: stubApi(partlyGranted), b24 })
    await flushPromises()

    await wrapper.find('[data-testid="finish-install"]').trigger('click')
    await flushPromises()

    expect(wrapper.find('[data-testid="install-failed"]').text()).toContain('Could not finish the installation')
    expect(wrapper.find('[data-testid="finish-install"]').attributes('disabled')).toBeUndefined()

    await wrapper.find('[data-testid="finish-install"]').trigger('click')
    await flushPromises()
    expect(b24.installFinish).toHaveBeenCalledTimes(2)
    expect(wrapper.find('[data-testid="install-failed"]').exists()).toBe(false)
  })

  it('keeps the button disabled and explains why outside Bitrix24', async () => {
    const { b24 } = fakeB24({ status: 'unavailable', isInstallMode: false })
    const wrapper = mountKeycard(InstallPage, { api: stubApi(partlyGranted), b24 })
    await flushPromises()

    expect(wrapper.find('[data-testid="finish-install"]').attributes('disabled')).toBeDefined()
    expect(wrapper.find('[data-testid="frame-unavailable"]').exists()).toBe(true)
    expect(wrapper.text()).toContain('needs the connection to Bitrix24')
    await wrapper.find('[data-testid="finish-install"]').trigger('click')
    expect(b24.installFinish).not.toHaveBeenCalled()
  })
})
