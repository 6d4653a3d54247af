import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import mongoose, { Types } from 'mongoose';

/**
 * Attachment bytes in GridFS (files and chunks collections), so a deployment needs no other
 * store; FerretDB serves the same buckets as MongoDB.
 */
const BUCKET = 'practice_attachments';

function bucket() {
  const db = mongoose.connection.db;
  if (!db) throw new Error('the database connection is not open');
  return new mongoose.mongo.GridFSBucket(db, { bucketName: BUCKET });
}

/** Stores the bytes; returns the new file's id. */
export async function storeFile(
  bytes: Buffer,
  name: string,
  metadata: { practiceId: string; contentType: string },
): Promise<Types.ObjectId> {
  const upload = bucket().openUploadStream(name, { metadata });
  await pipeline(Readable.from([bytes]), upload);
  return upload.id;
}

/** Whether a file is stored (a listed file whose bytes are gone answers 404, not a broken stream). */
export async function fileExists(id: Types.ObjectId): Promise<boolean> {
  return (await bucket().find({ _id: id }, { limit: 1 }).toArray()).length === 1;
}

/** A stream of a stored file's bytes. */
export function readFile(id: Types.ObjectId): NodeJS.ReadableStream {
  return bucket().openDownloadStream(id);
}

/** Removes stored files; ones already gone are skipped. */
export async function removeFiles(ids: readonly Types.ObjectId[]): Promise<void> {
  for (const id of ids) {
    await bucket()
      .delete(id)
      .catch((err: unknown) => {
        if (!(err instanceof mongoose.mongo.MongoRuntimeError) || !/not found/i.test(err.message)) throw err;
      });
  }
}
