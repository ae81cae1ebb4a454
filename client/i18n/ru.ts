import type { Messages } from './en'

/** Russian UI texts; typed as `Messages`, so a missing or extra key fails the type-check. */
export const ru: Messages = {
  'app.name': 'Keycard',
  'app.tagline': 'Доступы и разрешения вашего Битрикс24',
  'app.loading': 'Загрузка…',

  'nav.label': 'Разделы',
  'nav.scopes': 'Разрешения',
  'nav.directory': 'Справочник',

  'header.user': 'Вы вошли как {name}',
  'header.admin': 'Администратор',

  'scopes.title': 'Разрешения',
  'scopes.description': 'Что Keycard может читать или изменять в вашем Битрикс24 и выдал ли это ваш портал.',
  'scopes.column.scope': 'Разрешение',
  'scopes.column.status': 'Статус',
  'scopes.column.features': 'Затронутые функции',
  'scopes.column.requested': 'Запрошенное разрешение',
  'scopes.column.granted': 'Выдано порталом',
  'scopes.status.granted': 'Выдано',
  'scopes.status.missing': 'Не выдано',
  'scopes.features.none': 'Функции от него не зависят',
  'scopes.features.disabled': 'Отключены:',
  'scopes.features.enabled': 'Используется в:',
  'scopes.empty': 'Keycard не запрашивает разрешений.',
  'scopes.allGranted': 'Ваш портал выдал все разрешения, которые запрашивает Keycard.',
  'scopes.unavailable.title': 'Некоторые функции недоступны',
  'scopes.unavailable.description':
    'Ваш портал выдал не все разрешения, которые запрашивает Keycard. Эти функции останутся отключены, пока разрешения не выданы: попросите администратора Битрикс24 обновить или переустановить Keycard из Битрикс24 Маркета.',
  'scopes.unavailable.item': '{feature} — нужно: {scopes}',
  'scopes.stored.title': 'Показаны разрешения, сохранённые при установке',
  'scopes.stored.description': 'Сейчас не удалось запросить Битрикс24, поэтому недавние изменения могут быть ещё не видны.',
  'scopes.retry': 'Повторить',

  'install.title': 'Добро пожаловать в Keycard',
  'install.description':
    'Keycard наводит порядок в доступе сотрудников к этому приложению. Проверьте, какие разрешения он запросил и что выдал ваш портал, и завершите установку.',
  'install.scopes.title': 'Запрошенные и выданные разрешения',
  'install.missing.title': 'Часть запрошенных разрешений не выдана',
  'install.missing.description':
    'Установку можно завершить: Keycard работает и без них, но перечисленные ниже функции останутся отключены, пока разрешения не выданы.',
  'install.finish': 'Завершить установку',
  'install.finished': 'Установка завершена. Битрикс24 открывает Keycard…',
  'install.failed.title': 'Не удалось завершить установку',
  'install.failed.description':
    'Битрикс24 не подтвердил её. Попробуйте ещё раз; если ошибка повторяется, откройте установку заново из Битрикс24 Маркета.',
  'install.needsFrame': 'Для завершения установки нужна связь с Битрикс24.',

  'install.sync.title': 'Первая синхронизация справочника',
  'install.sync.description':
    'Keycard копирует сотрудников и отделы из Битрикс24, чтобы правила доступа могли на них ссылаться. На большом портале это занимает несколько минут.',
  'install.sync.waiting': 'Ожидание начала синхронизации…',
  'install.sync.done': 'Готово: {users}, {departments} за {duration}',
  'install.sync.finished': 'Справочник синхронизирован.',
  'install.sync.failed': 'Первая синхронизация не удалась',
  'install.sync.retry': 'Повторить',
  'install.sync.background': 'Установку можно завершить уже сейчас: синхронизация продолжится в фоне.',

  'directory.title': 'Справочник',
  'directory.description': 'Сотрудники и отделы вашего Битрикс24 в копии Keycard. Правила доступа используют эту копию.',
  'directory.departments': 'Отделы',
  'directory.allEmployees': 'Все сотрудники',
  'directory.head': 'Руководитель: {name}',
  'directory.expand': 'Развернуть «{name}»',
  'directory.collapse': 'Свернуть «{name}»',
  'directory.includeSub': 'Включая подотделы',
  'directory.noDepartments': 'В справочнике нет отделов.',
  'directory.search.label': 'Поиск сотрудников',
  'directory.search.placeholder': 'Имя, e-mail или должность',
  'directory.filter.label': 'Показать сотрудников',
  'directory.filter.active': 'Работают',
  'directory.filter.fired': 'Уволены',
  'directory.filter.all': 'Все',
  'directory.list.label': 'Сотрудники',
  'directory.list.empty': 'Нет сотрудников, подходящих под фильтры.',
  'directory.list.unnamed': 'Пользователь #{id}',
  'directory.badge.fired': 'Уволен',
  'directory.badge.extranet': 'Экстранет',
  'directory.notSynced.title': 'Справочник ещё не синхронизирован',
  'directory.notSynced.description':
    'Keycard копирует сотрудников и отделы из Битрикс24 после установки. Они появятся здесь, как только закончится первая синхронизация.',

  'sync.lastRefreshed': 'Обновлено {time}',
  'sync.lastRefreshedCounts': 'Обновлено {time} ({users}, {departments})',
  'sync.justNow': 'только что',
  'sync.never': 'Ещё не синхронизирован',
  'sync.refresh': 'Обновить сейчас',
  'sync.running': 'Справочник обновляется…',
  'sync.phase.starting': 'Запуск…',
  'sync.phase.departments': 'Загрузка отделов…',
  'sync.phase.users': 'Загрузка сотрудников…',
  'sync.phase.workgroups': 'Загрузка рабочих групп…',
  'sync.phase.other': 'Синхронизация…',
  'sync.failed.title': 'Последняя синхронизация не удалась',
  'sync.failed.kept': 'В справочнике показана копия последней успешной синхронизации.',
  'sync.workgroupsUnavailable':
    'Рабочие группы не копируются: у приложения нет разрешения {scope}. Правила доступа для рабочих групп (SG…) недоступны, пока администратор его не выдаст.',

  'count.users': '{count} пользователь|{count} пользователя|{count} пользователей',
  'count.employees': '{count} сотрудник|{count} сотрудника|{count} сотрудников',
  'count.departments': '{count} отдел|{count} отдела|{count} отделов',
  'count.workgroups': '{count} рабочая группа|{count} рабочие группы|{count} рабочих групп',
  'count.requests': '{count} запрос|{count} запроса|{count} запросов',

  'time.seconds': '{seconds} с',
  'time.minutes': '{minutes} мин {seconds} с',

  'frame.connecting': 'Подключение к Битрикс24…',
  'frame.unavailable.title': 'Нет связи с Битрикс24',
  'frame.unavailable.description':
    'Keycard открыт не внутри вашего портала Битрикс24, поэтому действия, которым нужен Битрикс24, недоступны. Откройте Keycard из меню Битрикс24.',

  'session.expired.title': 'Сеанс истёк — откройте приложение заново',
  'session.expired.description':
    'Ради безопасности сеансы Keycard короткие. Перезагрузите приложение или откройте Keycard заново из меню Битрикс24.',
  'session.reload': 'Перезагрузить',

  'error.title': 'Что-то пошло не так',
  'error.network': 'Сервер Keycard недоступен. Проверьте подключение и попробуйте ещё раз.',
  'error.forbidden': 'У вас нет доступа к этому разделу Keycard.',
  'error.server': 'Сервер Keycard не смог выполнить запрос.',
  'error.invalidResponse': 'Сервер Keycard прислал ответ, который эта страница не понимает. Перезагрузите приложение.',
  'error.code': 'Код ошибки: {code}',

  'bootstrap.title': 'Keycard не удалось запустить',
  'bootstrap.description':
    'Странице не хватает данных для запуска. Откройте Keycard из меню Битрикс24; если это повторяется, обратитесь к администратору Битрикс24.',
  'bootstrap.detail': 'Подробности: {detail}'
}
