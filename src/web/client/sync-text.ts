/**
 * The words of the calendar synchronization page and menus, in French and English, kept
 * beside the page rather than in the shared dictionary: the engine's reasons and the sync
 * error codes only make sense here.
 */
import { ApiError } from './api.js';
import { errorText, language } from './i18n.js';

const en = {
  title: 'Calendar sync',
  intro:
    'Your tasks in the planning and your calendar (CalDAV or Microsoft 365) kept in step, ' +
    'in both directions. The most recent change wins.',
  general: 'Synchronization',
  enabled: 'Allow synchronization with my calendar',
  everyMinutes: 'Every (minutes)',
  everyMinutesHint: 'At least 5 minutes.',
  past: 'Tasks in the past',
  pastFromToday: 'From today on',
  pastDays: 'Also the past days:',
  futureDays: 'Days ahead',
  whoAmI: 'Who I am',
  whoAmIHint: 'Your resource; its tasks are the ones synchronized. Set by the administrator.',
  whoAmINone: 'No resource yet: ask the administrator to link one to your login.',
  exportAs: 'Planning → calendar',
  'exportAs.appointments': 'Every task as an appointment',
  'exportAs.tasks': 'Every task as a calendar task',
  'exportAs.manual': 'Manual: the tasks I send one by one',
  importTitle: 'Calendar → planning',
  importAppointments: 'Appointments',
  importTasks: 'Calendar tasks',
  provider: 'Calendar',
  'provider.none': 'None',
  'provider.caldav': 'CalDAV (Nextcloud, iCloud, Fastmail, Radicale, …)',
  'provider.graph': 'Microsoft 365 / Outlook.com',
  caldav: 'CalDAV account',
  serverUrl: 'Server address',
  username: 'Login',
  password: 'Password',
  passwordSet: 'set (leave empty to keep it)',
  discover: 'Find my calendars',
  discovering: 'Looking for calendars…',
  found: '{n} calendar(s) found.',
  noneFound: 'No calendar found with these details.',
  calendar: 'Calendar to synchronize',
  calendarNone: '(pick a calendar)',
  'kind.event': 'appointments',
  'kind.todo': 'tasks',
  graph: 'Microsoft 365',
  graphConnected: 'Connected as {account}.',
  graphConnectedNoName: 'Connected.',
  graphNotConnected: 'Not connected.',
  graphNeedsReconnect:
    'Microsoft refused the sign-in of {account} (consent withdrawn or expired): reconnect.',
  connect: 'Connect',
  reconnect: 'Reconnect',
  graphDone: 'Microsoft 365 is connected.',
  graphFailed: 'Microsoft 365 was not connected ({reason}).',
  save: 'Save',
  saved: 'Saved.',
  runNow: 'Sync now',
  running: 'Synchronizing…',
  runDone: 'Synchronization done: {summary}.',
  runFailed: 'The synchronization failed.',
  startOver: 'Start over with this calendar',
  startOverConfirm:
    'Ordo will forget what it knew of this calendar. The next synchronization matches its ' +
    'items to your tasks again, sends it the tasks it lacks, and deletes nothing: an item ' +
    'whose task was deleted since the last synchronization becomes a task again. Go on?',
  startOverDone: 'Done: the next synchronization starts over with the calendar.',
  lastRun: 'Last run: {when} ({status}).',
  nextRun: 'Next run: {when}.',
  neverRun: 'Never run yet.',
  runs: 'Run log',
  noRuns: 'No synchronization has run yet.',
  'status.ok': 'done',
  'status.failed': 'failed',
  'count.created': '{n} created',
  'count.updated': '{n} changed',
  'count.deleted': '{n} deleted',
  'count.restored': '{n} put back',
  'count.linked': '{n} linked',
  'count.skipped': '{n} skipped',
  nothing: 'nothing to do',
  'action.created': 'created',
  'action.updated': 'changed',
  'action.deleted': 'deleted',
  'action.restored': 'put back',
  'action.linked': 'linked',
  'action.skipped': 'skipped',
  'side.planning': 'in the planning',
  'side.calendar': 'in the calendar',
  item: 'Item',
  what: 'What',
  where: 'Where',
  why: 'Why',
  conflict: 'Conflict',
  conflictWon: '{side} won; overwritten: {overwritten}',
  'winner.planning': 'the planning',
  'winner.calendar': 'the calendar',
  errors: 'Errors',
  serverAnswered: 'The server answered: {answer}',
  duration: '{seconds} s',
  syncMenu: 'Calendar',
  sendEvent: 'Send to calendar appointments',
  sendTodo: 'Send to calendar tasks',
  stopSync: 'Stop synchronizing',
  sentEvent: 'The task goes to your calendar appointments at the next sync.',
  sentTodo: 'The task goes to your calendar tasks at the next sync.',
  stopped: 'The task is no longer synchronized.',
  'error.SYNC_NOT_CONFIGURED': 'Calendar synchronization is not set up.',
  'error.SYNC_ALREADY_RUNNING': 'A synchronization is already running.',
  'error.SYNC_REMOTE_EXISTS': 'The calendar already holds this item.',
  'error.SYNC_REMOTE_CHANGED': 'The item changed in the calendar meanwhile.',
  'error.SYNC_REMOTE_REJECTED': 'The calendar server rejected the item.',
  'error.SYNC_REMOTE_UNAVAILABLE': 'The calendar server cannot be reached.',
  'error.SYNC_REMOTE_AUTH': 'The calendar server refused the login or password.',
  'error.SYNC_REMOTE_PROTOCOL': 'The calendar server answered unexpectedly.',
  'error.SYNC_EMPTY_LISTING':
    'The calendar came back empty: nothing was deleted, to be safe. If it was emptied on ' +
    'purpose, start over with it (button below the settings).',
  'error.SYNC_DUPLICATE_UID': 'The calendar holds several items with one identifier.',
  'error.SYNC_RECONNECT': 'The calendar account must be connected again.',
  'error.ICS_ITEM_INVALID': 'The calendar holds an item Ordo cannot read: it was left as it is.',
  'error.SYNC_ADDRESS_REFUSED':
    'This address is not allowed: Ordo does not connect to local-network, reserved or ' +
    'non-http addresses.',
  'error.RATE_LIMITED': 'A synchronization has just run: try again in {seconds} s.',
  rateLimitedSoon: 'A synchronization has just run: try again in a moment.',
  'error.GRAPH_NOT_CONFIGURED': 'Microsoft 365 is not set up by the administrator.',
  'error.GRAPH_AUTH': 'Microsoft 365 refused the credentials.',
  'error.GRAPH_THROTTLED': 'Microsoft 365 asked to slow down; the next run continues.',
  'error.GRAPH_UNAVAILABLE': 'Microsoft 365 cannot be reached just now.',
};

export type SyncTextKey = keyof typeof en;

const fr: Record<SyncTextKey, string> = {
  title: 'Synchronisation du calendrier',
  intro:
    'Vos tâches du planning et votre agenda (CalDAV ou Microsoft 365) tenus à jour dans les ' +
    'deux sens. La modification la plus récente l’emporte.',
  general: 'Synchronisation',
  enabled: 'Autoriser la synchronisation avec mon agenda',
  everyMinutes: 'Toutes les (minutes)',
  everyMinutesHint: 'Au moins 5 minutes.',
  past: 'Tâches passées',
  pastFromToday: 'À partir d’aujourd’hui',
  pastDays: 'Aussi les jours passés :',
  futureDays: 'Jours à venir',
  whoAmI: 'Qui suis-je',
  whoAmIHint:
    'Votre ressource ; ce sont ses tâches qui sont synchronisées. Choisie par l’administrateur.',
  whoAmINone:
    'Aucune ressource pour l’instant : demandez à l’administrateur d’en lier une à votre compte.',
  exportAs: 'Planning → agenda',
  'exportAs.appointments': 'Toutes les tâches en rendez-vous',
  'exportAs.tasks': 'Toutes les tâches en tâches de l’agenda',
  'exportAs.manual': 'Manuel : les tâches que j’envoie une à une',
  importTitle: 'Agenda → planning',
  importAppointments: 'Les rendez-vous',
  importTasks: 'Les tâches de l’agenda',
  provider: 'Agenda',
  'provider.none': 'Aucun',
  'provider.caldav': 'CalDAV (Nextcloud, iCloud, Fastmail, Radicale, …)',
  'provider.graph': 'Microsoft 365 / Outlook.com',
  caldav: 'Compte CalDAV',
  serverUrl: 'Adresse du serveur',
  username: 'Identifiant',
  password: 'Mot de passe',
  passwordSet: 'enregistré (laisser vide pour le garder)',
  discover: 'Trouver mes agendas',
  discovering: 'Recherche des agendas…',
  found: '{n} agenda(s) trouvé(s).',
  noneFound: 'Aucun agenda trouvé avec ces informations.',
  calendar: 'Agenda à synchroniser',
  calendarNone: '(choisir un agenda)',
  'kind.event': 'rendez-vous',
  'kind.todo': 'tâches',
  graph: 'Microsoft 365',
  graphConnected: 'Connecté en tant que {account}.',
  graphConnectedNoName: 'Connecté.',
  graphNotConnected: 'Non connecté.',
  graphNeedsReconnect:
    'Microsoft a refusé la connexion de {account} (autorisation retirée ou expirée) : reconnectez-vous.',
  connect: 'Se connecter',
  reconnect: 'Se reconnecter',
  graphDone: 'Microsoft 365 est connecté.',
  graphFailed: 'Microsoft 365 n’a pas été connecté ({reason}).',
  save: 'Enregistrer',
  saved: 'Enregistré.',
  runNow: 'Synchroniser maintenant',
  running: 'Synchronisation en cours…',
  runDone: 'Synchronisation terminée : {summary}.',
  runFailed: 'La synchronisation a échoué.',
  startOver: 'Repartir de zéro avec cet agenda',
  startOverConfirm:
    'Ordo va oublier ce qu’il savait de cet agenda. La prochaine synchronisation rapprochera ' +
    'à nouveau ses éléments de vos tâches, lui enverra celles qui lui manquent, et ne ' +
    'supprimera rien : un élément dont la tâche a été supprimée depuis la dernière ' +
    'synchronisation redeviendra une tâche. Continuer ?',
  startOverDone: 'C’est fait : la prochaine synchronisation repart de zéro avec l’agenda.',
  lastRun: 'Dernière synchronisation : {when} ({status}).',
  nextRun: 'Prochaine : {when}.',
  neverRun: 'Jamais synchronisé.',
  runs: 'Journal des synchronisations',
  noRuns: 'Aucune synchronisation pour l’instant.',
  'status.ok': 'terminée',
  'status.failed': 'échec',
  'count.created': '{n} créé(s)',
  'count.updated': '{n} modifié(s)',
  'count.deleted': '{n} supprimé(s)',
  'count.restored': '{n} remis',
  'count.linked': '{n} relié(s)',
  'count.skipped': '{n} ignoré(s)',
  nothing: 'rien à faire',
  'action.created': 'créé',
  'action.updated': 'modifié',
  'action.deleted': 'supprimé',
  'action.restored': 'remis',
  'action.linked': 'relié',
  'action.skipped': 'ignoré',
  'side.planning': 'dans le planning',
  'side.calendar': 'dans l’agenda',
  item: 'Élément',
  what: 'Quoi',
  where: 'Où',
  why: 'Pourquoi',
  conflict: 'Conflit',
  conflictWon: '{side} l’a emporté ; écrasé : {overwritten}',
  'winner.planning': 'le planning',
  'winner.calendar': 'l’agenda',
  errors: 'Erreurs',
  serverAnswered: 'Le serveur a répondu : {answer}',
  duration: '{seconds} s',
  syncMenu: 'Agenda',
  sendEvent: 'Envoyer dans les rendez-vous de l’agenda',
  sendTodo: 'Envoyer dans les tâches de l’agenda',
  stopSync: 'Arrêter la synchronisation',
  sentEvent: 'La tâche part dans vos rendez-vous à la prochaine synchronisation.',
  sentTodo: 'La tâche part dans vos tâches d’agenda à la prochaine synchronisation.',
  stopped: 'La tâche n’est plus synchronisée.',
  'error.SYNC_NOT_CONFIGURED': 'La synchronisation du calendrier n’est pas configurée.',
  'error.SYNC_ALREADY_RUNNING': 'Une synchronisation est déjà en cours.',
  'error.SYNC_REMOTE_EXISTS': 'L’agenda contient déjà cet élément.',
  'error.SYNC_REMOTE_CHANGED': 'L’élément a changé dans l’agenda entre-temps.',
  'error.SYNC_REMOTE_REJECTED': 'Le serveur d’agenda a refusé l’élément.',
  'error.SYNC_REMOTE_UNAVAILABLE': 'Le serveur d’agenda est injoignable.',
  'error.SYNC_REMOTE_AUTH': 'Le serveur d’agenda a refusé l’identifiant ou le mot de passe.',
  'error.SYNC_REMOTE_PROTOCOL': 'Le serveur d’agenda a répondu de façon inattendue.',
  'error.SYNC_EMPTY_LISTING':
    'L’agenda est revenu vide : par prudence, rien n’a été supprimé. S’il a été vidé exprès, ' +
    'repartez de zéro avec lui (bouton sous les réglages).',
  'error.SYNC_DUPLICATE_UID': 'L’agenda contient plusieurs éléments de même identifiant.',
  'error.SYNC_RECONNECT': 'Le compte d’agenda doit être reconnecté.',
  'error.ICS_ITEM_INVALID':
    'L’agenda contient un élément qu’Ordo ne sait pas lire : il a été laissé tel quel.',
  'error.SYNC_ADDRESS_REFUSED':
    'Cette adresse n’est pas autorisée : Ordo ne se connecte pas aux adresses du réseau ' +
    'local, réservées ou autres que http.',
  'error.RATE_LIMITED': 'Une synchronisation vient d’avoir lieu : réessayez dans {seconds} s.',
  rateLimitedSoon: 'Une synchronisation vient d’avoir lieu : réessayez dans un instant.',
  'error.GRAPH_NOT_CONFIGURED': 'Microsoft 365 n’est pas configuré par l’administrateur.',
  'error.GRAPH_AUTH': 'Microsoft 365 a refusé les identifiants.',
  'error.GRAPH_THROTTLED':
    'Microsoft 365 demande de ralentir ; la prochaine synchronisation reprendra.',
  'error.GRAPH_UNAVAILABLE': 'Microsoft 365 est injoignable pour le moment.',
};

/** The engine's reasons, phrase by phrase (a reason may be "phrase: phrase"). */
const REASONS_FR: Record<string, string> = {
  'both sides already agree': 'les deux côtés sont déjà d’accord',
  'changed in the calendar after the planning deletion':
    'modifié dans l’agenda après la suppression dans le planning',
  'changed in the calendar': 'modifié dans l’agenda',
  'changed in the planning': 'modifié dans le planning',
  'changed on both sides': 'modifié des deux côtés',
  'calendar more recent': 'l’agenda est plus récent',
  'planning more recent': 'le planning est plus récent',
  'planning change more recent': 'la modification du planning est plus récente',
  'planning deletion more recent': 'la suppression dans le planning est plus récente',
  'created for a task that is no longer synchronized':
    'créé pour une tâche qui n’est plus synchronisée',
  'created in the calendar': 'créé dans l’agenda',
  'created in the planning': 'créé dans le planning',
  'deleted in the calendar after the planning change':
    'supprimé dans l’agenda après la modification dans le planning',
  'deleted in the calendar': 'supprimé dans l’agenda',
  'deleted in the planning': 'supprimé dans le planning',
  'deleted on both sides': 'supprimé des deux côtés',
  'duplicate UID in the calendar': 'identifiant (UID) en double dans l’agenda',
  'not allowed to delete the task': 'pas le droit de supprimer la tâche',
  'not allowed to modify the task': 'pas le droit de modifier la tâche',
  'not allowed to add the task again': 'pas le droit de recréer la tâche',
  'item put back': 'élément remis',
  'calendar change reverted': 'modification de l’agenda annulée',
  'the calendar item became recurring': 'l’élément de l’agenda est devenu périodique',
  'the task is no longer synchronized': 'la tâche n’est plus synchronisée',
  'private item': 'élément privé',
  'recurring item': 'élément périodique',
  'deleted item': 'élément supprimé',
};

/** A text of this page in the user's language, with `{name}` filled from `vars`. */
export function st(key: SyncTextKey, vars: Record<string, string | number> = {}): string {
  const template = (language() === 'fr' ? fr : en)[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}

/** The engine's reason in the user's language; unknown phrases are shown as they came. */
export function reasonText(reason: string): string {
  if (language() !== 'fr') return reason;
  return reason
    .split(': ')
    .map((part) => REASONS_FR[part] ?? part)
    .join(' : ');
}

/** A sync error by its stable code in the user's language, else the page's usual wording. */
export function syncErrorText(error: unknown): string {
  const code = error instanceof ApiError ? error.code : null;
  const key = `error.${code ?? ''}` as SyncTextKey;
  if (code === 'RATE_LIMITED') return rateLimitedText((error as ApiError).details);
  if (code && key in en) return st(key);
  const field = error instanceof ApiError ? error.field : null;
  if (code === 'VALIDATION' && field === 'everyMinutes') return st('everyMinutesHint');
  return errorText(error);
}

/** The same for an error recorded in a run (a code and the server's message). */
export function codeText(code: string, message: string): string {
  const key = `error.${code}` as SyncTextKey;
  if (code === 'RATE_LIMITED') return rateLimitedText({});
  return key in en ? st(key) : message;
}

/** "Try again in N s" when the server said how long (`details.retryAfterSeconds`). */
function rateLimitedText(details: Record<string, unknown>): string {
  const seconds = details.retryAfterSeconds;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return st('rateLimitedSoon');
  return st('error.RATE_LIMITED', { seconds: Math.max(1, Math.ceil(seconds)) });
}
