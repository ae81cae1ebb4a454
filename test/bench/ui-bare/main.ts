import './style.css';
import { createApp } from 'vue';
import b24UiPlugin from '@bitrix24/b24ui-nuxt/vue-plugin';
import { initializeB24Frame } from '@bitrix24/b24jssdk';
import App from './App.vue';

createApp(App).use(b24UiPlugin).mount('#app');
// Outside a portal the handshake fails at once; the bare page has nothing to show about it.
initializeB24Frame().catch(() => undefined);
