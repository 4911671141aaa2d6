/** `ordo import` and `ordo export`: iCalendar files in and out of a resource's planning. */
import fs from 'node:fs';
import { exportCalendar } from '../../ical/export-service.js';
import { importCalendar, type ImportReport } from '../../ical/import-service.js';
import { SYSTEM } from '../../planning/actor.js';
import { OrdoError } from '../../shared/errors.js';
import { stringOption, type Command, type CommandContext } from '../command.js';
import { parseRange } from '../dates.js';

function resourceName(ctx: CommandContext): string {
  const name = stringOption(ctx, 'resource')?.trim();
  if (!name) {
    throw new OrdoError('VALIDATION', {
      message: '--resource NAME is required',
      details: { field: 'resource' },
    });
  }
  return name;
}

function readFile(file: string | undefined): Buffer {
  if (!file) throw new OrdoError('VALIDATION', { message: 'Which file? ordo import FILE.ics' });
  try {
    return fs.readFileSync(file);
  } catch (cause) {
    throw new OrdoError('VALIDATION', { message: `Cannot read ${file}`, cause, details: { file } });
  }
}

function summary(report: ImportReport & { resourceCreated: boolean; resource: string }): string {
  const lines: string[] = [];
  if (report.resourceCreated) lines.push(`Created the resource ${report.resource}.`);
  lines.push(
    `Imported ${report.imported.length}, updated ${report.updated.length}, ` +
      `unchanged ${report.unchanged.length}, skipped ${report.skipped.length}, ` +
      `failed ${report.failed.length}.`,
  );
  for (const s of report.skipped) lines.push(`  skipped ${s.uid}: ${s.reason}`);
  for (const f of report.failed) lines.push(`  failed ${f.uid ?? '(no UID)'}: ${f.reason}`);
  return lines.join('\n');
}

const importCommand: Command = {
  words: ['import'],
  usage: 'import FILE.ics --resource NAME',
  summary:
    "Imports a calendar file into a resource's tasks (creating the resource if needed) and " +
    'says what was imported, skipped and why, and what failed and why.',
  options: { resource: { type: 'string' } },
  async run(ctx) {
    const bytes = readFile(ctx.positionals[0]);
    const name = resourceName(ctx);
    let resource = await ctx.ordo.directory.findResourceByName(name);
    const resourceCreated = !resource;
    resource ??= await ctx.ordo.directory.createResource({ name });
    const report = await importCalendar(ctx.ordo, {
      actor: SYSTEM,
      resourceId: resource.id,
      input: bytes,
    });
    const result = { resource: resource.name, resourceCreated, ...report };
    ctx.out.result(result, summary);
    return report.failed.length > 0 ? 3 : 0;
  },
};

const exportCommand: Command = {
  words: ['export'],
  usage: 'export --resource NAME [--from DATE --to DATE]',
  summary: "Writes a resource's tasks as iCalendar to standard output.",
  options: { resource: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
  async run(ctx) {
    const name = resourceName(ctx);
    const resource = await ctx.ordo.directory.findResourceByName(name);
    if (!resource)
      throw new OrdoError('RESOURCE_NOT_FOUND', { message: `No resource named ${name}` });
    const from = stringOption(ctx, 'from');
    const to = stringOption(ctx, 'to');
    let range = {};
    if (from || to) {
      if (!from || !to) throw new OrdoError('VALIDATION', { message: 'Give both --from and --to' });
      range = parseRange(from, to, await ctx.ordo.settings.get('company.timeZone'));
    }
    ctx.out.write(
      await exportCalendar(ctx.ordo, { actor: SYSTEM, resourceId: resource.id, ...range }),
    );
  },
};

export const CALENDAR_FILE_COMMANDS: Command[] = [importCommand, exportCommand];
