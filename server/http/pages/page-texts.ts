import { errorCodes, type ErrorCode } from '../../../common/error-codes.js';
import type { Lang } from '../../manifest.js';

interface PageText {
  title: string;
  message: string;
}

/** The refusal pages there are; several error codes share one (all "a dependency is down" codes, say). */
type PageKey =
  | 'BAD_REQUEST'
  | 'PORTAL_NOT_ALLOWED'
  | 'PORTAL_BLOCKED'
  | 'TOKEN_NOT_VERIFIED'
  | 'USER_NOT_VERIFIED'
  | 'WRONG_CLIENT'
  | 'WRONG_PORTAL'
  | 'INSTALL_NEEDS_ADMIN'
  | 'REFRESH_TOKEN_MISSING'
  | 'INSTALL_INCOMPLETE'
  | 'NOT_INSTALLED'
  | 'INSTALL_UNFINISHED'
  | 'NEEDS_REINSTALL'
  | 'SUBSCRIPTION_EXPIRED'
  | 'BITRIX_ACCESS_DENIED'
  | 'USER_INACTIVE'
  | 'APP_ACCESS_DENIED'
  | 'UNAVAILABLE'
  | 'BUSY'
  | 'INTERNAL'
  | 'REQUEST_MESSAGE'
  | 'REQUEST_TICKET'
  | 'REQUEST_HAS_ACCESS'
  | 'REQUEST_LIMIT';

/**
 * The page each error code shows inside the frame. Exhaustive over the registry: a new code does not
 * type-check until someone decides what a person who hits it reads.
 */
const pageOf: Record<ErrorCode, PageKey> = {
  BAD_REQUEST: 'BAD_REQUEST',
  BAD_BODY: 'BAD_REQUEST',
  BODY_TOO_LARGE: 'BAD_REQUEST',
  BAD_EVENT: 'BAD_REQUEST',
  NOT_FOUND: 'BAD_REQUEST',
  INVALID_POLICY: 'INTERNAL',
  INVALID_USER: 'INTERNAL',
  INVALID_QUERY: 'INTERNAL',
  INVALID_Q: 'INTERNAL',
  INVALID_DEPARTMENT: 'INTERNAL',
  INVALID_SUBDEPARTMENTS: 'INTERNAL',
  INVALID_ACTIVE: 'INTERNAL',
  INVALID_CURSOR: 'INTERNAL',
  INVALID_LIMIT: 'INTERNAL',
  INVALID_ACTOR: 'INTERNAL',
  INVALID_CODE: 'INTERNAL',
  INVALID_GROUP: 'INTERNAL',
  PRECONDITION_REQUIRED: 'INTERNAL',
  INVALID_REQUEST_MESSAGE: 'REQUEST_MESSAGE',
  INVALID_DECISION: 'INTERNAL',
  REQUEST_TICKET_INVALID: 'REQUEST_TICKET',
  SESSION_MISSING: 'INTERNAL',
  SESSION_INVALID: 'INTERNAL',
  TOKEN_NOT_VERIFIED: 'TOKEN_NOT_VERIFIED',
  USER_NOT_VERIFIED: 'USER_NOT_VERIFIED',
  EVENT_NOT_VERIFIED: 'INTERNAL',
  WRONG_CLIENT: 'WRONG_CLIENT',
  WRONG_PORTAL: 'WRONG_PORTAL',
  PORTAL_NOT_ALLOWED: 'PORTAL_NOT_ALLOWED',
  OAUTH_SERVER_NOT_TRUSTED: 'PORTAL_NOT_ALLOWED',
  SUBSCRIPTION_EXPIRED: 'SUBSCRIPTION_EXPIRED',
  PORTAL_BLOCKED: 'PORTAL_BLOCKED',
  PORTAL_NOT_ACTIVE: 'NOT_INSTALLED',
  INSTALL_NEEDS_ADMIN: 'INSTALL_NEEDS_ADMIN',
  BITRIX_ACCESS_DENIED: 'BITRIX_ACCESS_DENIED',
  USER_INACTIVE: 'USER_INACTIVE',
  APP_ACCESS_DENIED: 'APP_ACCESS_DENIED',
  FEATURE_DENIED: 'APP_ACCESS_DENIED',
  ADMIN_REQUIRED: 'INSTALL_NEEDS_ADMIN',
  DELEGATES_ADMIN_ONLY: 'INTERNAL',
  ALREADY_HAS_ACCESS: 'REQUEST_HAS_ACCESS',
  NOT_INSTALLED: 'NOT_INSTALLED',
  INSTALL_UNFINISHED: 'INSTALL_UNFINISHED',
  INSTALL_INCOMPLETE: 'INSTALL_INCOMPLETE',
  NEEDS_REINSTALL: 'NEEDS_REINSTALL',
  REFRESH_TOKEN_MISSING: 'REFRESH_TOKEN_MISSING',
  PORTAL_NOT_INSTALLED: 'NOT_INSTALLED',
  PORTAL_BAD_TRANSITION: 'INTERNAL',
  USER_NOT_FOUND: 'INTERNAL',
  GROUP_NOT_FOUND: 'INTERNAL',
  REQUEST_NOT_FOUND: 'INTERNAL',
  POLICY_CHANGED: 'INTERNAL',
  SAVE_LOCKS_YOU_OUT: 'INTERNAL',
  SYNC_RUNNING: 'INTERNAL',
  SYNC_LEASE_LOST: 'INTERNAL',
  SYNC_ABORTED: 'INTERNAL',
  REQUEST_ALREADY_OPEN: 'REQUEST_LIMIT',
  REQUEST_DECIDED: 'INTERNAL',
  REQUEST_LIMIT: 'REQUEST_LIMIT',
  BITRIX_ERROR: 'UNAVAILABLE',
  BITRIX_UNREACHABLE: 'UNAVAILABLE',
  CURSOR_IGNORED: 'UNAVAILABLE',
  OAUTH_UNAVAILABLE: 'UNAVAILABLE',
  PORTAL_BUSY: 'BUSY',
  RATE_LIMITED: 'BUSY',
  PORTAL_UNAVAILABLE: 'UNAVAILABLE',
  STORE_UNAVAILABLE: 'UNAVAILABLE',
  LOCK_TIMEOUT: 'UNAVAILABLE',
  LEASE_LOST: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
};

/** Texts of the server-rendered pages (shown inside the portal's frame). */
const texts: Record<Lang, Record<PageKey, PageText>> = {
  en: {
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
  },
  ru: {
    BAD_REQUEST: {
      title: 'Откройте эту страницу из Битрикс24',
      message: 'Keycard работает внутри Битрикс24. Откройте приложение из меню Битрикс24 или из Маркета.',
    },
    PORTAL_NOT_ALLOWED: {
      title: 'Этот Битрикс24 здесь не обслуживается',
      message: 'Этот сервер Keycard не работает с этим адресом Битрикс24. Установите Keycard из Маркета Битрикс24.',
    },
    PORTAL_BLOCKED: {
      title: 'Keycard отключён для этого Битрикс24',
      message: 'Оператор Keycard заблокировал этот Битрикс24. Обратитесь в поддержку Keycard.',
    },
    TOKEN_NOT_VERIFIED: {
      title: 'Не удалось подтвердить вход',
      message: 'Битрикс24 не подтвердил этот запрос. Закройте приложение и откройте его снова из Битрикс24.',
    },
    USER_NOT_VERIFIED: {
      title: 'Не удалось подтвердить вход',
      message: 'Битрикс24 не подтвердил, кто открыл приложение. Закройте приложение и откройте его снова из Битрикс24.',
    },
    WRONG_CLIENT: {
      title: 'Этот запрос не для Keycard',
      message: 'Битрикс24 сообщает, что этот вход принадлежит другому приложению.',
    },
    WRONG_PORTAL: {
      title: 'Этот запрос для другого Битрикс24',
      message: 'Битрикс24 сообщает, что этот вход принадлежит другому Битрикс24.',
    },
    INSTALL_NEEDS_ADMIN: {
      title: 'Установить Keycard может только администратор',
      message: 'Попросите администратора Битрикс24 установить Keycard из Маркета.',
    },
    REFRESH_TOKEN_MISSING: {
      title: 'Данные установки неполные',
      message: 'Битрикс24 передал не всё, что нужно Keycard. Начните установку заново из Маркета.',
    },
    INSTALL_INCOMPLETE: {
      title: 'Не удалось завершить установку',
      message:
        'Битрикс24 не разрешил зарегистрировать уведомления, нужные Keycard. Повторите установку; если ошибка повторится, обратитесь в поддержку Keycard.',
    },
    NOT_INSTALLED: {
      title: 'Keycard не установлен в этом Битрикс24',
      message: 'Попросите администратора Битрикс24 установить Keycard из Маркета.',
    },
    INSTALL_UNFINISHED: {
      title: 'Установка Keycard не завершена',
      message: 'Администратор Битрикс24 должен один раз открыть Keycard, чтобы завершить установку.',
    },
    NEEDS_REINSTALL: {
      title: 'Подключению Keycard к Битрикс24 нужен администратор',
      message:
        'Битрикс24 больше не принимает авторизацию, с которой работает Keycard. Администратору Битрикс24 достаточно один раз открыть Keycard, чтобы её обновить. Настройки сохранятся.',
    },
    SUBSCRIPTION_EXPIRED: {
      title: 'Подписка на Keycard в этом Битрикс24 закончилась',
      message:
        'Битрикс24 больше не выдаёт Keycard авторизацию, потому что подписка закончилась. Администратор может продлить её в Маркете; настройки сохранятся.',
    },
    BITRIX_ACCESS_DENIED: {
      title: 'У вас нет доступа к приложению',
      message:
        'Администратор Битрикс24 ограничил круг тех, кто может открывать Keycard. Попросите его выдать вам доступ.',
    },
    USER_INACTIVE: {
      title: 'Ваша учётная запись неактивна',
      message: 'Уволенные сотрудники не могут открывать Keycard.',
    },
    APP_ACCESS_DENIED: {
      title: 'У вас нет доступа к приложению',
      message:
        'Администраторы Keycard выбрали, кто может им пользоваться, и вас среди них нет. Попросите одного из них выдать вам доступ:',
    },
    UNAVAILABLE: {
      title: 'Keycard временно недоступен',
      message: 'Сервис, от которого зависит Keycard, не ответил. Ничего не изменено. Попробуйте через минуту.',
    },
    BUSY: {
      title: 'Keycard сейчас перегружен',
      message:
        'К Keycard или вашему Битрикс24 пришло слишком много запросов сразу. Ничего не изменено. Попробуйте через несколько секунд.',
    },
    REQUEST_MESSAGE: {
      title: 'Сообщение слишком длинное',
      message:
        'К запросу доступа можно приложить сообщение до 500 символов. Ничего не отправлено: вернитесь и сократите его.',
    },
    REQUEST_TICKET: {
      title: 'Форма запроса устарела',
      message: 'Ничего не отправлено. Закройте Keycard и откройте его снова из Битрикс24, чтобы запросить доступ.',
    },
    REQUEST_HAS_ACCESS: {
      title: 'У вас уже есть доступ',
      message: 'Ничего не отправлено: Keycard теперь вас пускает. Закройте его и откройте снова из Битрикс24.',
    },
    REQUEST_LIMIT: {
      title: 'Вы уже запросили доступ',
      message:
        'Ваш запрос ждёт решения администраторов приложения, или сегодня вы уже просили несколько раз. Новый запрос не отправлен.',
    },
    INTERNAL: {
      title: 'Что-то пошло не так',
      message: 'Keycard не удалось открыть. Ничего не изменено. Попробуйте через минуту.',
    },
  },
};

function isErrorCode(code: string): code is ErrorCode {
  return (errorCodes as readonly string[]).includes(code);
}

/** Page text for an error code; a code outside the registry reads as the generic failure. */
export function pageText(lang: Lang, code: string): PageText {
  return texts[lang][isErrorCode(code) ? pageOf[code] : 'INTERNAL'];
}
