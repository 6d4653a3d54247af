import { Types } from 'mongoose';
import { recordAudit } from '../audit/record';
import { ConflictError, ForbiddenError, NotFoundError } from '../../errors';
import type { AuthContext } from '../../http/context';
import { type PageRequest, afterCursor, toPage } from '../../http/pagination';
import { createApiKey, listApiKeys, type ApiKeyView } from './api-keys.service';
import { Organisation, type OrganisationDoc } from './organisation.model';

/** An organisation as the API shows it. */
export interface OrganisationView {
  id: string;
  slug: string;
  name: string;
  country: string;
  region: string;
  type: OrganisationDoc['type'];
  housingStock: number | null;
  languages: string[];
  createdAt: string;
}

export function toOrganisationView(d: OrganisationDoc): OrganisationView {
  return {
    id: d._id.toHexString(),
    slug: d.slug,
    name: d.name,
    country: d.country,
    region: d.region,
    type: d.type,
    housingStock: d.housingStock ?? null,
    languages: d.languages,
    createdAt: d.createdAt.toISOString(),
  };
}

export interface NewOrganisation {
  slug: string;
  name: string;
  country: string;
  type: OrganisationDoc['type'];
  region?: string;
  housingStock?: number;
  languages?: string[];
}

/** Creates an organisation with its first admin key (secret returned once). */
export async function createOrganisation(
  input: NewOrganisation,
  createdBy: string | null,
): Promise<{ organisation: OrganisationView; adminKey: ApiKeyView & { key: string } }> {
  if (await Organisation.exists({ slug: input.slug })) {
    throw new ConflictError(`an organisation with slug "${input.slug}" exists`, 'DUPLICATE_SLUG', [
      { path: '/slug', message: 'already taken' },
    ]);
  }
  let doc;
  try {
    doc = await Organisation.create({
      slug: input.slug,
      name: input.name,
      country: input.country,
      type: input.type,
      region: input.region ?? '',
      housingStock: input.housingStock ?? null,
      languages: input.languages ?? ['en'],
    });
  } catch (err) {
    if ((err as { code?: number }).code === 11000) {
      throw new ConflictError(`an organisation with slug "${input.slug}" exists`, 'DUPLICATE_SLUG', [
        { path: '/slug', message: 'already taken' },
      ]);
    }
    throw err;
  }
  const organisation = toOrganisationView(doc.toObject() as OrganisationDoc);
  const adminKey = await createApiKey({
    organisationId: organisation.id,
    role: 'admin',
    label: 'first admin key',
    createdBy,
  });
  return { organisation, adminKey };
}

/** An organisation by id or slug, whoever asks (callers decide what may be seen). */
export function findOrganisation(idOrSlug: string): Promise<OrganisationDoc | null> {
  const filter = /^[a-f0-9]{24}$/.test(idOrSlug) ? { _id: new Types.ObjectId(idOrSlug) } : { slug: idOrSlug };
  return Organisation.findOne(filter).lean<OrganisationDoc>().exec();
}

/** Finds an organisation by id or slug within what the caller may see; otherwise 404. */
export async function getOrganisation(caller: AuthContext, idOrSlug: string): Promise<OrganisationDoc> {
  const doc = await findOrganisation(idOrSlug);
  if (!doc) throw new NotFoundError('organisation');
  if (caller.role !== 'platform' && doc._id.toHexString() !== caller.organisationId) {
    throw new NotFoundError('organisation');
  }
  return doc;
}

/** Platform keys see every organisation; other keys their own. */
export async function listOrganisations(caller: AuthContext, page: { limit: number; cursor?: string }) {
  const scope = caller.role === 'platform' ? {} : { _id: new Types.ObjectId(caller.organisationId!) };
  const docs = await Organisation.find({ ...scope, ...afterCursor(page.cursor) })
    .sort({ _id: 1 })
    .limit(page.limit + 1)
    .lean<OrganisationDoc[]>();
  return toPage(docs, page.limit, toOrganisationView);
}

/** Issues a key of the organisation; an admin may issue admin or analyst keys of their own organisation. */
export async function issueKey(
  caller: AuthContext,
  org: string,
  role: 'admin' | 'analyst' | 'coordinator' | 'interviewer',
  label?: string,
) {
  const doc = await getOrganisation(caller, org);
  if (caller.role !== 'admin' && caller.role !== 'platform') throw new ForbiddenError();
  const key = await createApiKey({
    organisationId: doc._id.toHexString(),
    role,
    label,
    createdBy: caller.keyId,
  });
  await recordAudit(caller, {
    action: 'key.issued',
    resource: { type: 'key', id: key.id },
    organisationId: doc._id.toHexString(),
    after: { role: key.role, label: key.label },
  });
  return key;
}

/** A page of the keys of an organisation the caller administers. */
export async function keysOf(caller: AuthContext, org: string, page: PageRequest) {
  const doc = await getOrganisation(caller, org);
  return listApiKeys(doc._id.toHexString(), page);
}
