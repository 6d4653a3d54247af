import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '../errors';
import { ConfigError, loadConfig } from '../config';
import { connectMongo, disconnectMongo, syncIndexes } from '../db/connection';
import { moveDatabase, MoveRefused } from '../local-services/move';
import { dataDirUser, markMoving, readServiceState } from '../local-services/state';
import { BUILT_IN_INDICATORS } from '../modules/catalogue/catalogue';
import { createApiKey } from '../modules/organisations/api-keys.service';
import { ORGANISATION_TYPES } from '../modules/organisations/organisation.model';
import { createOrganisation } from '../modules/organisations/organisations.service';
import { checkContent } from '../modules/surveys/surveys.service';
import { createPlatformPerson } from '../modules/people/people.service';
import { createMailer } from '../mail';
import { listTemplates } from '../modules/surveys/templates';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  platform-key create [--label TEXT] [--json]
      Create a platform key (creates organisations, owns shared surveys). Prints its secret once.
  organisation create --slug SLUG --name NAME --country CC --type TYPE
                      [--region TEXT] [--housing-stock N] [--languages pl,en] [--json]
      Create an organisation and its first admin key. TYPE: ${ORGANISATION_TYPES.join(', ')}
  platform-person create --email ADDRESS --name NAME [--json]
      Invite the first platform person: prints the one-time link to set a password (and e-mails
      it when SMTP_URL is configured).
  templates check [--json]
      Validate the built-in templates in surveys/.
  database move --to postgresql|sqlite [--json]
      Move the local FerretDB's data under DATA_DIR to the other backend, with \`npm start\`
      stopped. Every collection is copied and checked; the old data is kept beside it.

The database is MONGODB_URI, or the local server of a running \`npm start\`.`;

type Out = (human: string, data: unknown) => void;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      label: { type: 'string' },
      slug: { type: 'string' },
      name: { type: 'string' },
      country: { type: 'string' },
      type: { type: 'string' },
      region: { type: 'string' },
      'housing-stock': { type: 'string' },
      languages: { type: 'string' },
      email: { type: 'string' },
      to: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const out: Out = (human, data) => console.log(values.json ? JSON.stringify(data) : human);
  const command = positionals.join(' ');
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }

  if (command === 'templates check') {
    let failed = 0;
    const results = [];
    for (const t of listTemplates()) {
      const check = await checkContent(t, new Map(BUILT_IN_INDICATORS.map((d) => [d.id, d])));
      failed += check.errors.length ? 1 : 0;
      results.push({
        slug: t.slug,
        errors: check.errors,
        warnings: check.warnings,
        questions: check.questions.length,
      });
    }
    out(
      results
        .map(
          (r) =>
            `${r.errors.length ? 'FAIL' : 'ok  '} ${r.slug} (${r.questions} questions, ${r.warnings.length} warnings)`,
        )
        .join('\n'),
      results,
    );
    return failed ? 1 : 0;
  }

  if (command === 'database move') return moveCommand(values.to, out);

  const config = loadConfig();
  const uri = config.mongodbUri ?? localUri(config.dataDir);
  await connectMongo(uri);
  try {
    await syncIndexes();
    if (command === 'platform-key create') {
      const key = await createApiKey({
        organisationId: null,
        role: 'platform',
        label: values.label ?? 'platform key',
      });
      out(`platform key ${key.id}\n  secret (shown once): ${key.key}`, { id: key.id, key: key.key });
      return 0;
    }
    if (command === 'platform-person create') {
      if (!values.email || !values.name) throw new AppError(400, 'USAGE', 'give --email and --name');
      const invited = await createPlatformPerson(
        { email: values.email, name: values.name },
        {
          baseUrl: config.publicBaseUrl,
          ttlHours: config.invitationTtlHours,
          mail: createMailer(config),
        },
      );
      out(
        `platform person ${invited.person.email} (${invited.person.id})\n  set the password with (shown once, valid until ${invited.invitation.expiresAt}): ${invited.invitation.url}`,
        invited,
      );
      return 0;
    }
    if (command === 'organisation create') {
      const missing = ['slug', 'name', 'country', 'type'].filter((k) => !values[k as keyof typeof values]);
      if (missing.length) throw new AppError(400, 'USAGE', `missing --${missing.join(', --')}`);
      const type = values.type as (typeof ORGANISATION_TYPES)[number];
      if (!ORGANISATION_TYPES.includes(type))
        throw new AppError(400, 'USAGE', `--type must be one of ${ORGANISATION_TYPES.join(', ')}`);
      const created = await createOrganisation(
        {
          slug: values.slug!,
          name: values.name!,
          country: values.country!,
          type,
          region: values.region,
          housingStock: values['housing-stock'] ? Number(values['housing-stock']) : undefined,
          languages: values.languages?.split(',').map((s) => s.trim()),
        },
        null,
      );
      out(
        `organisation ${created.organisation.slug} (${created.organisation.id})\n  admin key secret (shown once): ${created.adminKey.key}`,
        {
          organisation: created.organisation,
          adminKey: { id: created.adminKey.id, key: created.adminKey.key },
        },
      );
      return 0;
    }
    console.error(`unknown command "${command}"\n\n${USAGE}`);
    return 2;
  } finally {
    await disconnectMongo();
  }
}

/** `database move --to BACKEND`: see moveDatabase. */
async function moveCommand(to: string | undefined, out: Out): Promise<number> {
  if (to !== 'postgresql' && to !== 'sqlite')
    throw new AppError(400, 'USAGE', 'give --to postgresql or --to sqlite');
  const config = loadConfig();
  if (config.mongodbUri) {
    throw new AppError(
      400,
      'USAGE',
      'MONGODB_URI is set: this command moves the local FerretDB under DATA_DIR; copy another server with mongodump and mongorestore',
    );
  }
  const dataDir = path.resolve(config.dataDir);
  if (!existsSync(dataDir)) {
    throw new AppError(409, 'NOT_MOVED', `${dataDir} does not exist: there is nothing to move`);
  }
  const user = dataDirUser(dataDir);
  if (user?.by === 'service') {
    throw new AppError(
      409,
      'RUNNING',
      `npm start is running on this data (process ${user.pid}); stop it first`,
    );
  }
  if (user) throw new AppError(409, 'RUNNING', `process ${user.pid} is moving this data already`);
  const release = markMoving(dataDir);
  try {
    const report = await moveDatabase({ dataDir, to, log: (line) => console.error(line) });
    const documents = report.collections.reduce((n, c) => n + c.documents, 0);
    out(
      `moved ${documents} documents in ${report.collections.length} collections from ${report.from} to ${report.to} (${report.seconds} s)\n  the ${report.from} data is kept in ${report.keptAt}; delete it once the service runs well`,
      report,
    );
  } catch (err) {
    if (err instanceof MoveRefused) throw new AppError(409, 'NOT_MOVED', err.message);
    throw err;
  } finally {
    release();
  }
  if (config.ferretdbBackend && config.ferretdbBackend !== to) {
    console.error(
      `FERRETDB_BACKEND=${config.ferretdbBackend} is set: unset it, or set it to ${to}, before npm start`,
    );
  }
  return 0;
}

function localUri(dataDir: string): string {
  const state = readServiceState(path.resolve(dataDir));
  if (!state) {
    throw new ConfigError([
      'MONGODB_URI: not set, and no `npm start` is running with local servers in ' + path.resolve(dataDir),
    ]);
  }
  return state.mongodbUri;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof AppError) console.error(err.message);
    else console.error(err);
    process.exit(1);
  },
);
