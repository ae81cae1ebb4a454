import { defineAsyncComponent, type Component } from 'vue';

/**
 * The page each placement Keycard binds shows (by placement code). Opened in one of them, the app renders that page
 * alone, without the navigation: the frame is a tab of someone else's page. Loaded on demand.
 */
export const placementPages: Readonly<Record<string, Component>> = {
  SONET_GROUP_DETAIL_TAB: defineAsyncComponent(() => import('./GroupAccessPage.vue')),
};
