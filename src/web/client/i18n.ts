/**
 * Every string the page shows, in French and English. The language is the user's choice
 * when they made one (kept in localStorage), else the browser's first preference among
 * the two, else English. French words follow the product's own terms (planning général,
 * ressource, tâche, fiche d'identité, indisponibilité, rappel).
 */
import type { ApiError } from './api.js';

export type Language = 'fr' | 'en';

const en = {
  appName: 'Ordo',
  loading: 'Loading…',
  language: 'Language',
  'language.fr': 'Français',
  'language.en': 'English',
  'login.title': 'Log in',
  'login.login': 'Login',
  'login.password': 'Password',
  'login.submit': 'Log in',
  logout: 'Log out',
  'nav.planning': 'Planning',
  'nav.cards': 'Identity cards',
  'nav.resources': 'Resources',
  'nav.clients': 'Clients',
  'nav.transfer': 'Import / export',
  'nav.admin': 'Administration',
  'nav.users': 'Users',
  'nav.groups': 'Groups',
  'nav.options': 'Options',
  'nav.messages': 'Messages',
  'nav.calendarSync': 'Calendar sync',
  'nav.messaging': 'Messaging',
  'nav.taskDescription': 'Task description',
  'planning.title': 'General planning',
  'planning.day': 'Day',
  'planning.week': 'Week',
  'planning.month': 'Month',
  'planning.previous': 'Previous',
  'planning.next': 'Next',
  'planning.today': 'Today',
  'planning.date': 'Go to date',
  'planning.newTask': 'New task',
  'planning.resource': 'Resource',
  'planning.noDepartment': 'No department',
  'planning.noResources': 'No resources yet: create them in the identity cards.',
  'planning.private': 'Private',
  'planning.unavailable': 'Unavailable',
  'planning.newUnavailability': 'New unavailability',
  'unavailability.title': 'Unavailability',
  'unavailability.hint': 'Leave, sickness, training: the resource is not available.',
  'unavailability.resource': 'Resource',
  'unavailability.wholeDays': 'Whole days',
  'unavailability.reason': 'Reason',
  'unavailability.confirmDelete': 'Delete the unavailability “{reason}” of {name}?',
  'planning.weekNumber': 'Week {n}',
  'planning.timeZone': 'Times in {zone}',
  'planning.moved': 'Task moved.',
  'planning.readOnly': 'Read only',
  'planning.dragHint': 'Click an empty cell to add a task; drag a bar to move it.',
  'task.new': 'New task',
  'task.edit': 'Task',
  'task.label': 'Label',
  'task.allDay': 'All day',
  'task.start': 'Start',
  'task.end': 'End',
  'task.startDate': 'Start date',
  'task.startTime': 'Start time',
  'task.endDate': 'End date',
  'task.endTime': 'End time',
  'task.resources': 'Resources',
  'task.resourceN': 'resource {n}',
  'task.addResource': 'Add a resource…',
  'task.moveUp': 'Move up',
  'task.moveDown': 'Move down',
  'task.remove': 'Remove',
  'task.client': 'Client',
  'task.noClient': '(no client)',
  'task.remark': 'Remark',
  'task.location': 'Location',
  'task.category': 'Category',
  'task.reminder': 'Reminder',
  'task.reminder.none': 'None',
  'task.reminder.minutes': '{n} min before',
  'task.reminder.hours': '{n} h before',
  'task.reminder.days': '{n} days before',
  'task.reminder.day': '1 day before',
  'task.reminder.custom': 'Custom…',
  'task.reminder.customMinutes': 'Minutes before the start',
  'task.reminder.at': 'At a date and time',
  'task.reminder.atValue': 'Reminder date and time',
  'task.private': 'Private',
  'task.periodic': 'Occurrence of a periodic task',
  'periodic.repeat': 'Repeat',
  'periodic.none': 'Never',
  'periodic.daily': 'Every day',
  'periodic.weekdays': 'Every weekday (Monday to Friday)',
  'periodic.weekly': 'Every week',
  'periodic.monthly': 'Every month',
  'periodic.until': 'Until (included)',
  'periodic.detach': 'Take out of the series',
  'periodic.detachConfirm':
    'Take this occurrence out of its periodic task? It becomes an ordinary task.',
  'periodic.deleteSeries': 'Delete the series',
  'periodic.deleteSeriesConfirm':
    'Delete the periodic task and all its occurrences? Occurrences taken out of it stay.',
  'periodic.created': 'Periodic task created: {n} occurrences.',
  'task.masked': 'Private task of someone else: only its times are shown.',
  'task.actions': 'Send',
  save: 'Save',
  cancel: 'Cancel',
  delete: 'Delete',
  edit: 'Edit',
  create: 'Create',
  close: 'Close',
  yes: 'Yes',
  no: 'No',
  none: '(none)',
  'confirm.title': 'Please confirm',
  'confirm.deleteTask': 'Delete the task “{label}”?',
  'confirm.delete': 'Delete “{name}”?',
  saved: 'Saved.',
  deleted: 'Deleted.',
  'cards.resources': 'Resources',
  'cards.clients': 'Clients',
  'cards.name': 'Name',
  'cards.kind': 'Kind',
  'cards.kind.human': 'Human',
  'cards.kind.material': 'Material',
  'cards.email': 'E-mail',
  'cards.mobile': 'Mobile',
  'cards.department': 'Department',
  'cards.newResource': 'New resource',
  'cards.newClient': 'New client',
  'cards.editResource': 'Resource identity card',
  'cards.editClient': 'Client identity card',
  'cards.departments': 'Departments',
  'cards.newDepartment': 'New department',
  'cards.addDepartment': 'Add',
  'cards.empty': 'Nothing here yet.',
  'admin.users': 'Users',
  'admin.groups': 'Groups',
  'admin.options': 'Options',
  'admin.login': 'Login',
  'admin.password': 'Password',
  'admin.passwordKeep': 'Leave empty to keep the current one',
  'admin.isAdmin': 'Administrator',
  'admin.whoIAm': 'Who I am (resource)',
  'admin.group': 'Group',
  'admin.defaultAccess': 'Default access',
  'admin.departmentAccess': 'Access per department',
  'admin.language': 'Language of e-mails',
  'admin.languageHint': 'Task e-mails and texts sent to this user',
  'admin.language.company': 'The company’s',
  'admin.access.inherit': 'Default',
  'admin.access.none': 'None',
  'admin.access.read': 'Read',
  'admin.access.write': 'Write',
  'admin.newUser': 'New user',
  'admin.editUser': 'User',
  'admin.newGroup': 'New group',
  'admin.editGroup': 'Group',
  'admin.groupName': 'Name',
  'admin.canAdd': 'Add',
  'admin.canModify': 'Modify',
  'admin.canDelete': 'Delete',
  'admin.setting': 'Setting',
  'admin.value': 'Value',
  'admin.secretSet': 'set',
  'admin.secretUnset': 'not set',
  'admin.secretHint': 'Write-only: type a new value to replace it',
  'admin.listHint': 'Separated by commas',
  'admin.jsonHint': 'JSON',
  'admin.jsonInvalid': 'This is not valid JSON.',
  'admin.section.company': 'Company',
  'admin.section.task': 'Task',
  'admin.section.mail': 'Messaging',
  'admin.section.sms': 'SMS',
  'admin.section.graph': 'Microsoft 365',
  'admin.section.other': 'Other',
  'transfer.title': 'Import / export',
  'transfer.export': 'Export a resource’s tasks',
  'transfer.exportHint': 'An iCalendar (.ics) file any calendar can open.',
  'transfer.download': 'Download .ics',
  'transfer.import': 'Import an iCalendar file',
  'transfer.importHint': 'The events of the file become tasks of the chosen resource.',
  'transfer.file': 'File (.ics)',
  'transfer.submit': 'Import',
  'transfer.imported': 'Imported ({n})',
  'transfer.skipped': 'Skipped ({n})',
  'transfer.failed': 'Failed ({n})',
  'transfer.noFile': 'Choose a file first.',
  'error.generic': 'Something went wrong: {message}',
  'error.NETWORK': 'The server cannot be reached.',
  'error.field.label': 'A task needs a label.',
  'error.field.start': 'This start is not valid.',
  'error.field.end': 'The end must come after the start.',
  'error.field.password': 'A password has 8 to 200 characters.',
  'error.field.login': 'A login is 1 to 100 letters, digits, dots, dashes, underscores or @.',
  'error.field.name': 'A name of 1 to 200 characters is needed.',
  'error.field.reminder': 'This reminder is not valid.',
  'error.VALIDATION': 'This value is not valid.',
  'error.NOT_FOUND': 'Not found.',
  'error.CONFLICT': 'The change conflicts with the current state.',
  'error.AUTH_REQUIRED': 'Please log in.',
  'error.AUTH_INVALID': 'Wrong login or password.',
  'error.FORBIDDEN': 'You do not have the right to do this.',
  'error.RATE_LIMITED': 'Too many attempts; wait a moment.',
  'error.INTERNAL': 'Something went wrong on the server.',
  'error.SETTING_INVALID': 'The value is not valid for this setting.',
  'error.TASK_NOT_FOUND': 'This task no longer exists.',
  'error.TASK_TIMING_INVALID': 'The task must end after it starts.',
  'error.RESOURCE_NOT_FOUND': 'No such resource.',
  'error.RESOURCE_EXISTS': 'A resource with this name already exists.',
  'error.CLIENT_NOT_FOUND': 'No such client.',
  'error.CLIENT_EXISTS': 'A client with this name already exists.',
  'error.USER_EXISTS': 'A user with this login already exists.',
  'error.GROUP_NOT_FOUND': 'No such group.',
  'error.DEPARTMENT_NOT_FOUND': 'No such department.',
  'error.MAIL_ADDRESS_INVALID': 'The e-mail address is not valid.',
  'error.SMS_MOBILE_INVALID': 'The mobile number is not valid.',
  'error.ICS_UNREADABLE': 'The file is not an iCalendar file.',
  'error.PERIODIC_RULE_INVALID': 'The repetition rule is not valid.',
  'error.ICS_ITEM_INVALID': 'A calendar item cannot be read.',
};

export type MessageKey = keyof typeof en;

const fr: Record<MessageKey, string> = {
  appName: 'Ordo',
  loading: 'Chargement…',
  language: 'Langue',
  'language.fr': 'Français',
  'language.en': 'English',
  'login.title': 'Connexion',
  'login.login': 'Identifiant',
  'login.password': 'Mot de passe',
  'login.submit': 'Se connecter',
  logout: 'Se déconnecter',
  'nav.planning': 'Planning général',
  'nav.cards': "Fiches d'identité",
  'nav.resources': 'Ressources',
  'nav.clients': 'Clients',
  'nav.transfer': 'Import / export',
  'nav.admin': 'Administration',
  'nav.users': 'Utilisateurs',
  'nav.groups': 'Groupes',
  'nav.options': 'Options',
  'nav.messages': 'Messages',
  'nav.calendarSync': 'Synchronisation du calendrier',
  'nav.messaging': 'Messagerie',
  'nav.taskDescription': 'Description tâche',
  'planning.title': 'Planning général',
  'planning.day': 'Jour',
  'planning.week': 'Semaine',
  'planning.month': 'Mois',
  'planning.previous': 'Précédent',
  'planning.next': 'Suivant',
  'planning.today': "Aujourd'hui",
  'planning.date': 'Aller à la date',
  'planning.newTask': 'Nouvelle tâche',
  'planning.resource': 'Ressource',
  'planning.noDepartment': 'Sans service',
  'planning.noResources': "Aucune ressource pour l'instant : créez-les dans les fiches d'identité.",
  'planning.private': 'Privé',
  'planning.unavailable': 'Indisponible',
  'planning.newUnavailability': 'Nouvelle indisponibilité',
  'unavailability.title': 'Indisponibilité',
  'unavailability.hint': "Congés, maladie, formation : la ressource n'est pas disponible.",
  'unavailability.resource': 'Ressource',
  'unavailability.wholeDays': 'Journées entières',
  'unavailability.reason': 'Motif',
  'unavailability.confirmDelete': "Supprimer l'indisponibilité « {reason} » de {name} ?",
  'planning.weekNumber': 'Semaine {n}',
  'planning.timeZone': 'Heures de {zone}',
  'planning.moved': 'Tâche déplacée.',
  'planning.readOnly': 'Lecture seule',
  'planning.dragHint':
    'Cliquez sur une case vide pour ajouter une tâche ; glissez une barre pour la déplacer.',
  'task.new': 'Nouvelle tâche',
  'task.edit': 'Tâche',
  'task.label': 'Libellé',
  'task.allDay': 'Journée entière',
  'task.start': 'Début',
  'task.end': 'Fin',
  'task.startDate': 'Date de début',
  'task.startTime': 'Heure de début',
  'task.endDate': 'Date de fin',
  'task.endTime': 'Heure de fin',
  'task.resources': 'Ressources',
  'task.resourceN': 'ressource {n}',
  'task.addResource': 'Ajouter une ressource…',
  'task.moveUp': 'Monter',
  'task.moveDown': 'Descendre',
  'task.remove': 'Retirer',
  'task.client': 'Client',
  'task.noClient': '(aucun client)',
  'task.remark': 'Remarque',
  'task.location': 'Lieu',
  'task.category': 'Catégorie',
  'task.reminder': 'Rappel',
  'task.reminder.none': 'Aucun',
  'task.reminder.minutes': '{n} min avant',
  'task.reminder.hours': '{n} h avant',
  'task.reminder.days': '{n} jours avant',
  'task.reminder.day': '1 jour avant',
  'task.reminder.custom': 'Personnalisé…',
  'task.reminder.customMinutes': 'Minutes avant le début',
  'task.reminder.at': 'À une date et une heure',
  'task.reminder.atValue': 'Date et heure du rappel',
  'task.private': 'Privé',
  'task.periodic': "Occurrence d'une tâche périodique",
  'periodic.repeat': 'Répéter',
  'periodic.none': 'Jamais',
  'periodic.daily': 'Tous les jours',
  'periodic.weekdays': 'Chaque jour ouvré (du lundi au vendredi)',
  'periodic.weekly': 'Toutes les semaines',
  'periodic.monthly': 'Tous les mois',
  'periodic.until': "Jusqu'au (inclus)",
  'periodic.detach': 'Sortir de la série',
  'periodic.detachConfirm':
    'Sortir cette occurrence de sa tâche périodique ? Elle devient une tâche ordinaire.',
  'periodic.deleteSeries': 'Supprimer la série',
  'periodic.deleteSeriesConfirm':
    'Supprimer la tâche périodique et toutes ses occurrences ? Celles qui en ont été sorties restent.',
  'periodic.created': 'Tâche périodique créée : {n} occurrences.',
  'task.masked': "Tâche privée d'une autre personne : seules ses heures sont visibles.",
  'task.actions': 'Envoyer',
  save: 'Enregistrer',
  cancel: 'Annuler',
  delete: 'Supprimer',
  edit: 'Modifier',
  create: 'Créer',
  close: 'Fermer',
  yes: 'Oui',
  no: 'Non',
  none: '(aucun)',
  'confirm.title': 'Confirmation',
  'confirm.deleteTask': 'Supprimer la tâche « {label} » ?',
  'confirm.delete': 'Supprimer « {name} » ?',
  saved: 'Enregistré.',
  deleted: 'Supprimé.',
  'cards.resources': 'Ressources',
  'cards.clients': 'Clients',
  'cards.name': 'Nom',
  'cards.kind': 'Type',
  'cards.kind.human': 'Humaine',
  'cards.kind.material': 'Matérielle',
  'cards.email': 'E-mail',
  'cards.mobile': 'GSM',
  'cards.department': 'Service',
  'cards.newResource': 'Nouvelle ressource',
  'cards.newClient': 'Nouveau client',
  'cards.editResource': "Fiche d'identité de la ressource",
  'cards.editClient': "Fiche d'identité du client",
  'cards.departments': 'Services',
  'cards.newDepartment': 'Nouveau service',
  'cards.addDepartment': 'Ajouter',
  'cards.empty': 'Rien pour le moment.',
  'admin.users': 'Utilisateurs',
  'admin.groups': 'Groupes',
  'admin.options': 'Options',
  'admin.login': 'Identifiant',
  'admin.password': 'Mot de passe',
  'admin.passwordKeep': "Laisser vide pour garder l'actuel",
  'admin.isAdmin': 'Administrateur',
  'admin.whoIAm': 'Qui je suis (ressource)',
  'admin.group': 'Groupe',
  'admin.defaultAccess': 'Accès par défaut',
  'admin.departmentAccess': 'Accès par service',
  'admin.language': 'Langue des e-mails',
  'admin.languageHint': 'E-mails et SMS de tâches envoyés à cet utilisateur',
  'admin.language.company': 'Celle de l’entreprise',
  'admin.access.inherit': 'Par défaut',
  'admin.access.none': 'Aucun',
  'admin.access.read': 'Lecture',
  'admin.access.write': 'Écriture',
  'admin.newUser': 'Nouvel utilisateur',
  'admin.editUser': 'Utilisateur',
  'admin.newGroup': 'Nouveau groupe',
  'admin.editGroup': 'Groupe',
  'admin.groupName': 'Nom',
  'admin.canAdd': 'Ajouter',
  'admin.canModify': 'Modifier',
  'admin.canDelete': 'Supprimer',
  'admin.setting': 'Réglage',
  'admin.value': 'Valeur',
  'admin.secretSet': 'défini',
  'admin.secretUnset': 'non défini',
  'admin.secretHint': 'Écriture seule : saisissez une nouvelle valeur pour la remplacer',
  'admin.listHint': 'Séparés par des virgules',
  'admin.jsonHint': 'JSON',
  'admin.jsonInvalid': "Ce n'est pas du JSON valable.",
  'admin.section.company': 'Entreprise',
  'admin.section.task': 'Tâche',
  'admin.section.mail': 'Messagerie',
  'admin.section.sms': 'SMS',
  'admin.section.graph': 'Microsoft 365',
  'admin.section.other': 'Autres',
  'transfer.title': 'Import / export',
  'transfer.export': "Exporter les tâches d'une ressource",
  'transfer.exportHint': 'Un fichier iCalendar (.ics) que tout agenda sait ouvrir.',
  'transfer.download': 'Télécharger le .ics',
  'transfer.import': 'Importer un fichier iCalendar',
  'transfer.importHint': 'Les événements du fichier deviennent des tâches de la ressource choisie.',
  'transfer.file': 'Fichier (.ics)',
  'transfer.submit': 'Importer',
  'transfer.imported': 'Importés ({n})',
  'transfer.skipped': 'Ignorés ({n})',
  'transfer.failed': 'En échec ({n})',
  'transfer.noFile': "Choisissez d'abord un fichier.",
  'error.generic': 'Une erreur est survenue : {message}',
  'error.NETWORK': 'Le serveur est injoignable.',
  'error.field.label': 'Une tâche a besoin d’un libellé.',
  'error.field.start': 'Ce début n’est pas valable.',
  'error.field.end': 'La fin doit venir après le début.',
  'error.field.password': 'Un mot de passe compte de 8 à 200 caractères.',
  'error.field.login':
    'Un identifiant compte de 1 à 100 lettres, chiffres, points, tirets, soulignés ou @.',
  'error.field.name': 'Un nom de 1 à 200 caractères est nécessaire.',
  'error.field.reminder': 'Ce rappel n’est pas valable.',
  'error.VALIDATION': "Cette valeur n'est pas valable.",
  'error.NOT_FOUND': 'Introuvable.',
  'error.CONFLICT': "La modification est en conflit avec l'état actuel.",
  'error.AUTH_REQUIRED': 'Veuillez vous connecter.',
  'error.AUTH_INVALID': 'Identifiant ou mot de passe incorrect.',
  'error.FORBIDDEN': "Vous n'avez pas le droit de faire cela.",
  'error.RATE_LIMITED': 'Trop de tentatives ; patientez un instant.',
  'error.INTERNAL': 'Une erreur est survenue sur le serveur.',
  'error.SETTING_INVALID': "La valeur n'est pas valable pour ce réglage.",
  'error.TASK_NOT_FOUND': "Cette tâche n'existe plus.",
  'error.TASK_TIMING_INVALID': 'La tâche doit finir après son début.',
  'error.RESOURCE_NOT_FOUND': 'Ressource introuvable.',
  'error.RESOURCE_EXISTS': 'Une ressource porte déjà ce nom.',
  'error.CLIENT_NOT_FOUND': 'Client introuvable.',
  'error.CLIENT_EXISTS': 'Un client porte déjà ce nom.',
  'error.USER_EXISTS': 'Un utilisateur a déjà cet identifiant.',
  'error.GROUP_NOT_FOUND': 'Groupe introuvable.',
  'error.DEPARTMENT_NOT_FOUND': 'Service introuvable.',
  'error.MAIL_ADDRESS_INVALID': "L'adresse e-mail n'est pas valable.",
  'error.SMS_MOBILE_INVALID': "Le numéro de GSM n'est pas valable.",
  'error.ICS_UNREADABLE': "Le fichier n'est pas un fichier iCalendar.",
  'error.PERIODIC_RULE_INVALID': "La règle de répétition n'est pas valable.",
  'error.ICS_ITEM_INVALID': 'Un élément du calendrier est illisible.',
};

const DICTIONARIES: Record<Language, Record<MessageKey, string>> = { en, fr };

/**
 * The Options descriptions in French; in English the server's own sentence is shown. A key
 * missing here (a setting added later) shows the server's sentence in both languages.
 */
const SETTING_DESCRIPTIONS_FR: Record<string, string> = {
  'company.name': "Le nom de l'entreprise affiché dans la page et dans les e-mails.",
  'company.timeZone':
    'Le fuseau horaire IANA dans lequel le planning est dessiné et les e-mails écrits.',
  'company.defaultCountry': 'Le pays supposé pour les numéros de GSM écrits sans indicatif +pays.',
  'company.language': 'La langue des e-mails aux personnes dont la langue est inconnue.',
  'task.reminderByDate':
    "Les rappels sont fixés à une date et une heure au lieu d'un délai avant le début ; ils ne sont alors pas synchronisés avec les agendas.",
  'mail.transport':
    'Comment les e-mails de tâches partent : un serveur SMTP, ou Microsoft 365 (Graph sendMail).',
  'mail.smtp.host': 'Le nom du serveur SMTP.',
  'mail.smtp.port': 'Le port du serveur SMTP (587 STARTTLS, 465 TLS, 25 aucun).',
  'mail.smtp.security': 'Comment la connexion au serveur SMTP est protégée.',
  'mail.smtp.user': "L'identifiant SMTP, vide si le serveur n'en demande pas.",
  'mail.smtp.password': 'Le mot de passe SMTP.',
  'mail.from.address': "L'adresse d'expéditeur des e-mails de tâches.",
  'mail.from.name': "Le nom d'expéditeur affiché sur la ligne De.",
  'mail.cc': 'Les adresses qui reçoivent une copie de chaque e-mail de tâche, séparées par ; ou ,.',
  'mail.recipients': "À qui l'enveloppe envoie l'e-mail : la ressource 1, le client, ou les deux.",
  'mail.onCreate': "Envoyer la tâche par e-mail d'elle-même à sa création.",
  'mail.fields': "Les champs de la tâche que contient l'e-mail, dans l'ordre.",
  'sms.route':
    "Comment les SMS partent : la passerelle e-mail-vers-SMS de l'opérateur, ou un fournisseur de SMS.",
  'sms.operator':
    "L'opérateur téléphonique (un identifiant de sms.operators) dont la passerelle e-mail-vers-SMS est utilisée.",
  'sms.operators':
    "Les opérateurs dont la passerelle e-mail-vers-SMS peut servir (liste JSON : id, name, domain, numberFormat 'national' ou 'international').",
  'sms.http.provider': 'Le fournisseur de SMS utilisé par la voie http.',
  'sms.http.baseUrl': "L'adresse de l'API du fournisseur ; vide pour son adresse publique.",
  'sms.http.accountId':
    "L'identifiant du compte chez le fournisseur de SMS (Twilio : Account SID).",
  'sms.http.authToken': 'Le secret du compte chez le fournisseur de SMS (Twilio : Auth Token).',
  'sms.http.from': "Le numéro d'expéditeur ou l'identifiant de service chez le fournisseur de SMS.",
  'graph.clientId':
    "L'identifiant d'application (client) d'Ordo enregistré dans Microsoft Entra ID.",
  'graph.tenant':
    'Le locataire Microsoft Entra : common, organizations, ou un identifiant de locataire.',
  'graph.mailbox':
    "La boîte aux lettres d'où partent les e-mails de tâches quand le transport est Microsoft 365.",
};

/** A setting's description in the user's language, else the server's. */
export function settingDescription(key: string, serverText: string): string {
  return current === 'fr' ? (SETTING_DESCRIPTIONS_FR[key] ?? serverText) : serverText;
}
const STORAGE_KEY = 'ordo.language';

let current: Language = detectLanguage();

/** The stored choice, else the first of French or English the browser lists, else English. */
export function detectLanguage(): Language {
  const stored = readStored();
  if (stored) return stored;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const primary = tag.toLowerCase().split('-')[0];
    if (primary === 'fr' || primary === 'en') return primary;
  }
  return 'en';
}

function readStored(): Language | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'fr' || value === 'en' ? value : null;
  } catch {
    return null;
  }
}

export function language(): Language {
  return current;
}

/** BCP 47 tag for Intl formatting. */
export function locale(): string {
  return current === 'fr' ? 'fr-FR' : 'en-GB';
}

export function setLanguage(next: Language): void {
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Private browsing may refuse storage: the choice then lasts for this page only.
  }
  document.documentElement.lang = next;
}

export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const template = DICTIONARIES[current][key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}

/** The error in the user's language: by its stable code when known, else the server's words. */
export function errorText(error: unknown): string {
  const apiError = error as Partial<ApiError> | null;
  const code = apiError?.code;
  const field = String(apiError?.details?.field ?? '').split('.')[0];
  const fieldKey = `error.field.${field}` as MessageKey;
  if (code === 'VALIDATION' && field && fieldKey in en) return t(fieldKey);
  const key = `error.${code}` as MessageKey;
  if (code && key in en) {
    // The server's message names the specific problem; keep it when it is in the user's
    // language already (English), as it is more precise than the generic text.
    if (current === 'en' && apiError.message && code !== 'INTERNAL') return apiError.message;
    return t(key);
  }
  const message = error instanceof Error ? error.message : String(error);
  return t('error.generic', { message });
}
