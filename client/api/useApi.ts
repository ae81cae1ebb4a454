import { inject, type InjectionKey } from 'vue';
import type { ApiClient } from './client';

export const apiKey: InjectionKey<ApiClient> = Symbol('keycard.api');

/** The API client provided by the app root (tests provide a stub). */
export function useApi(): ApiClient {
  const api = inject(apiKey);
  if (!api) throw new Error('useApi() needs an ApiClient provided under apiKey');
  return api;
}
