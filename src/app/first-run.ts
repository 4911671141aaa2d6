/**
 * What a new installation needs on its first start: an administrator to log in with, and,
 * on an empty planning, demo content so a newcomer sees a real planning at once.
 */
import { DateTime } from 'luxon';
import { SYSTEM } from '../planning/actor.js';
import { newPassword } from '../security/passwords.js';
import type { Ordo } from './ordo.js';

/** Creates the first administrator when there is no user; returns its one-time password. */
export async function ensureFirstAdmin(
  ordo: Ordo,
): Promise<{ login: string; password: string } | null> {
  if ((await ordo.users.count()) > 0) return null;
  const password = newPassword();
  await ordo.users.create({ login: 'admin', password, isAdmin: true, defaultAccess: 'write' });
  return { login: 'admin', password };
}

/** Fills an empty planning with a few departments, resources, clients and a week of tasks. */
export async function seedDemo(ordo: Ordo): Promise<boolean> {
  const existing = await ordo.store.db.selectFrom('resources').select('id').limit(1).execute();
  if (existing.length > 0) return false;

  const { directory, tasks } = ordo;
  const workshop = await directory.createDepartment('Atelier');
  const sites = await directory.createDepartment('Chantiers');
  const office = await directory.createDepartment("Bureau d'études");
  const people = await Promise.all([
    directory.createResource({
      name: 'Camille Martin',
      departmentId: sites.id,
      email: 'camille.martin@example.org',
      mobile: '+33612345678',
    }),
    directory.createResource({
      name: 'Lucas Bernard',
      departmentId: sites.id,
      email: 'lucas.bernard@example.org',
    }),
    directory.createResource({
      name: 'Léa Dubois',
      departmentId: workshop.id,
      email: 'lea.dubois@example.org',
    }),
    directory.createResource({ name: 'Hugo Petit', departmentId: workshop.id }),
    directory.createResource({
      name: 'Chloé Moreau',
      departmentId: office.id,
      email: 'chloe.moreau@example.org',
    }),
  ]);
  const van = await directory.createResource({
    name: 'Camionnette 1',
    kind: 'material',
    departmentId: sites.id,
  });
  const clients = await Promise.all([
    directory.createClient({
      name: 'Boulangerie Lefèvre',
      email: 'contact@boulangerie-lefevre.example',
    }),
    directory.createClient({ name: 'Mairie de Saint-Aubin', email: 'accueil@saint-aubin.example' }),
    directory.createClient({ name: 'Hôtel du Lac', email: 'direction@hotel-du-lac.example' }),
  ]);

  const zone = await ordo.settings.get('company.timeZone');
  const monday = DateTime.fromMillis(ordo.clock.now(), { zone }).startOf('week');
  const at = (day: number, hour: number) => monday.plus({ days: day, hours: hour }).toMillis();
  const plan: [number, number, number, string, number[], number | null, string][] = [
    [0, 8, 12, 'Pose de cuisine', [0, 1], 0, 'Prévoir la camionnette'],
    [0, 14, 17, 'Métré', [4], 1, ''],
    [1, 8, 17, 'Rénovation salle de bain', [0, 5], 2, 'Chambre 12'],
    [1, 9, 12, 'Découpe plans de travail', [2], null, ''],
    [2, 8, 12, "Réunion d'équipe", [0, 1, 2, 3, 4], null, 'Salle de réunion'],
    [2, 13, 18, 'Fabrication meubles', [2, 3], 0, ''],
    [3, 8, 16, 'Peinture façade', [1, 5], 1, 'Échafaudage livré la veille'],
    [3, 10, 11, 'Appel fournisseur', [4], null, ''],
    [4, 8, 12, 'Livraison et montage', [0, 3, 5], 2, ''],
    [4, 14, 16, 'Devis', [4], 2, ''],
  ];
  const resources = [...people, van];
  for (const [day, from, to, label, who, client, remark] of plan) {
    await tasks.create({
      actor: SYSTEM,
      origin: 'demo',
      input: {
        label,
        timing: { allDay: false, start: at(day, from), end: at(day, to) },
        resourceIds: who.map((i) => resources[i]!.id),
        clientId: client === null ? null : clients[client]!.id,
        remark,
        location: '',
        category: client === null ? 'interne' : 'chantier',
        reminder: { kind: 'none' },
        private: false,
      },
    });
  }
  return true;
}
