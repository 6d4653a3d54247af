import { apiBlob, apiCsv } from '../../api';
import { h } from '../../dom';

/** Hands a file to the browser to save under `filename`. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Downloads the CSV form of an API answer (`Accept: text/csv`). */
export async function downloadCsv(path: string, filename: string): Promise<void> {
  saveBlob(await apiCsv(path), filename);
}

/**
 * Downloads a document the API prints (a PDF) with the session cookie. A refusal comes back as
 * the API's error, so the page can say why instead of saving an error as a file.
 */
export async function downloadFile(path: string, filename: string): Promise<void> {
  saveBlob(await apiBlob(path, 'application/pdf'), filename);
}
