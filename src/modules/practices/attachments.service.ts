import { Types } from 'mongoose';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../errors';
import type { AuthContext } from '../../http/context';
import { fileExists, readFile, removeFiles, storeFile } from './attachment-store';
import { Practice, type AttachmentDoc } from './practice.model';
import { ownPractice, readablePractice, type Reader } from './practices.service';
import { oneWriteAtATime } from '../../db/one-write';

/** Largest attachment accepted, in bytes. */
export const ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024;
/** Most attachments one entry holds. */
export const MAX_ATTACHMENTS = 20;

const startsWith = (bytes: Buffer, sig: readonly number[], at = 0) =>
  bytes.length >= at + sig.length && sig.every((b, i) => bytes[at + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/**
 * The media type the bytes' signature shows, among those attachments may have; null when none
 * fits. Uploads are checked against it, so a file cannot be served under a type it is not.
 */
export function sniffType(bytes: Buffer): string | null {
  if (startsWith(bytes, ascii('%PDF-'))) return 'application/pdf';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  return null;
}

function attachmentOut(practiceId: string, a: AttachmentDoc) {
  return {
    id: a._id.toHexString(),
    name: a.name,
    contentType: a.contentType,
    size: a.size,
    uploadedAt: a.uploadedAt.toISOString(),
    url: `/api/v1/practices/${practiceId}/attachments/${a._id.toHexString()}`,
  };
}

/** Checks that the caller may attach files to the entry, before its body is read. */
export async function checkCanAttach(caller: AuthContext, practiceId: string): Promise<void> {
  const doc = await ownPractice(caller, practiceId);
  if (doc.attachments.length >= MAX_ATTACHMENTS)
    throw new ConflictError(
      `a practice holds at most ${MAX_ATTACHMENTS} attachments`,
      'TOO_MANY_ATTACHMENTS',
    );
}

/**
 * Stores an attachment of the author's entry. The bytes go to GridFS first and the entry then
 * lists them; if the entry vanished meanwhile the stored file is removed again.
 */
export async function addAttachment(
  caller: AuthContext,
  practiceId: string,
  file: { name: string; contentType: string; bytes: Buffer },
) {
  if (!file.bytes.length)
    throw new ValidationError('the file is empty', [{ path: '/body', message: 'send the file’s bytes' }]);
  const actual = sniffType(file.bytes);
  if (actual !== file.contentType)
    throw new AppError(
      415,
      'CONTENT_TYPE_MISMATCH',
      actual
        ? `the file is ${actual}, not ${file.contentType}`
        : `the file’s content is not ${file.contentType}`,
    );
  await checkCanAttach(caller, practiceId);
  const id = await storeFile(file.bytes, file.name, { practiceId, contentType: file.contentType });
  const entry: AttachmentDoc = {
    _id: id,
    name: file.name,
    contentType: file.contentType,
    size: file.bytes.length,
    uploadedAt: new Date(),
  };
  const res = await oneWriteAtATime(Practice, practiceId, () =>
    Practice.updateOne({ _id: new Types.ObjectId(practiceId) }, { $push: { attachments: entry } }),
  );
  if (res.matchedCount !== 1) {
    await removeFiles([id]);
    throw new NotFoundError('practice');
  }
  return attachmentOut(practiceId, entry);
}

/** An attachment of an entry the reader may see, with a stream of its bytes. */
export async function openAttachment(reader: Reader, practiceId: string, attachmentId: string) {
  const { doc } = await readablePractice(reader, practiceId);
  const meta = doc.attachments.find((a) => a._id.toHexString() === attachmentId);
  if (!meta || !(await fileExists(meta._id))) throw new NotFoundError('attachment');
  return { meta, stream: readFile(meta._id) };
}

/** The author's admin removes an attachment. */
export async function removeAttachment(caller: AuthContext, practiceId: string, attachmentId: string) {
  const doc = await ownPractice(caller, practiceId);
  const meta = doc.attachments.find((a) => a._id.toHexString() === attachmentId);
  if (!meta) throw new NotFoundError('attachment');
  // The entry as stored, not a condition: FerretDB 1.24 ignores $pull with a query condition
  // (it matches nothing), while the exact element is removed on both servers.
  const res = await oneWriteAtATime(Practice, doc._id, () =>
    Practice.updateOne({ _id: doc._id }, { $pull: { attachments: meta } }),
  );
  if (res.modifiedCount !== 1) throw new NotFoundError('attachment');
  await removeFiles([meta._id]);
}
