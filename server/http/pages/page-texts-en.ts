import type { PageKey, PageText } from './page-text-kinds.js';

/** English texts of the server-rendered pages (shown inside the portal's frame). */
export const enPages: Record<PageKey, PageText> = {
  BAD_REQUEST: {
    title: 'Open this page from Bitrix24',
    message: 'Keycard opens inside Bitrix24. Use the app from the Bitrix24 menu or Market.',
  },
  PORTAL_NOT_ALLOWED: {
    title: 'This Bitrix24 is not served here',
    message: 'This Keycard server does not work with this Bitrix24 address. Install Keycard from Bitrix24 Market.',
  },
  PORTAL_BLOCKED: {
    title: 'Keycard is switched off for this Bitrix24',
    message: 'The Keycard operator blocked this Bitrix24 account. Contact Keycard support.',
  },
  TOKEN_NOT_VERIFIED: {
    title: 'We could not confirm your sign-in',
    message: 'Bitrix24 did not confirm this request. Close the app and open it again from Bitrix24.',
  },
  USER_NOT_VERIFIED: {
    title: 'We could not confirm your sign-in',
    message: 'Bitrix24 did not confirm who opened the app. Close the app and open it again from Bitrix24.',
  },
  WRONG_CLIENT: {
    title: 'This request is not for Keycard',
    message: 'Bitrix24 says this sign-in belongs to another application.',
  },
  WRONG_PORTAL: {
    title: 'This request is for another Bitrix24',
    message: 'Bitrix24 says this sign-in belongs to another Bitrix24 account.',
  },
  INSTALL_NEEDS_ADMIN: {
    title: 'Only an administrator can install Keycard',
    message: 'Ask your Bitrix24 administrator to install Keycard from Market.',
  },
  REFRESH_TOKEN_MISSING: {
    title: 'Installation data is incomplete',
    message: 'Bitrix24 did not send everything Keycard needs. Start the installation again from Market.',
  },
  INSTALL_INCOMPLETE: {
    title: 'Installation could not be finished',
    message:
      'Bitrix24 refused to register the notifications Keycard needs. Try the installation again; if it keeps failing, contact Keycard support.',
  },
  NOT_INSTALLED: {
    title: 'Keycard is not installed on this Bitrix24',
    message: 'Ask your Bitrix24 administrator to install Keycard from Bitrix24 Market.',
  },
  INSTALL_UNFINISHED: {
    title: 'Keycard installation is not finished',
    message: 'A Bitrix24 administrator must open Keycard once to finish the installation.',
  },
  NEEDS_REINSTALL: {
    title: 'Keycard’s connection to Bitrix24 needs an administrator',
    message:
      'Bitrix24 no longer accepts the authorization Keycard works with. A Bitrix24 administrator should open Keycard once: that renews it. Settings are kept.',
  },
  SUBSCRIPTION_EXPIRED: {
    title: 'The Keycard subscription on this Bitrix24 has expired',
    message:
      'Bitrix24 no longer issues Keycard’s authorization because its subscription ended. A Bitrix24 administrator can renew it in Market; settings are kept.',
  },
  BITRIX_ACCESS_DENIED: {
    title: 'You have no access to this app',
    message: 'Your Bitrix24 administrator restricted who may open Keycard. Ask them to give you access.',
  },
  USER_INACTIVE: {
    title: 'Your account is not active',
    message: 'Deactivated Bitrix24 accounts cannot open Keycard.',
  },
  APP_ACCESS_DENIED: {
    title: 'You have no access to this app',
    message:
      'Keycard’s administrators chose who may use it, and you are not among them. Ask one of them to give you access:',
  },
  UNAVAILABLE: {
    title: 'Keycard is temporarily unavailable',
    message: 'A service Keycard depends on did not answer. Nothing was changed. Try again in a minute.',
  },
  BUSY: {
    title: 'Keycard is busy right now',
    message:
      'Too many requests reached Keycard or your Bitrix24 at once. Nothing was changed. Try again in a few seconds.',
  },
  REQUEST_MESSAGE: {
    title: 'Your message is too long',
    message:
      'A request for access may carry a message of up to 500 characters. Nothing was sent: go back and shorten it.',
  },
  REQUEST_TICKET: {
    title: 'This request form has expired',
    message: 'Nothing was sent. Close Keycard and open it again from Bitrix24 to ask for access.',
  },
  REQUEST_HAS_ACCESS: {
    title: 'You already have access',
    message: 'Nothing was sent: Keycard lets you in now. Close it and open it again from Bitrix24.',
  },
  REQUEST_LIMIT: {
    title: 'You have already asked',
    message:
      'Your request is waiting for the app’s administrators, or you asked several times today. Nothing new was sent.',
  },
  INTERNAL: {
    title: 'Something went wrong',
    message: 'Keycard could not open. Nothing was changed. Try again in a minute.',
  },
};
