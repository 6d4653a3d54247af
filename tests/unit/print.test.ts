import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import * as QRCode from 'qrcode';
import { Writable } from 'node:stream';
import {
  lettersPdf,
  posterPdf,
  qrPng,
  qrSvg,
  writeLettersPdf,
  type LettersInput,
} from '../../src/modules/campaigns/print';
import { parsePdf, type ParsedPdf } from '../support/pdf';
import { LANGUAGES, LANGUAGE_NAMES, t, textsFor, type TextKey } from '../../src/web/texts';

const SHORT_URL = 'https://ankiety.example.pl/s/k7qxm2pd9a';
/** A personal link with a 256-bit base64url token. */
const TOKEN_URL = 'https://ankiety.example.pl/s/k7qxm2pd9a?t=Zx8vQ2mN4pL7rT1wY6uB3cE9gH5jK0aSdF-Gh_Jk2Lq';

const POLISH_TITLE = 'Zadowolenie z zarządu – Żółta Łąka';
const GEORGIAN_TITLE = 'მაცხოვრებლების კმაყოფილების კვლევა';
const UKRAINIAN_TITLE = 'Опитування мешканців';

/** Extracted text with runs of white space made single spaces, so a wrapped line still matches. */
function flat(text: string): string {
  return text.replace(/\s+/g, ' ');
}

function decodeQr(png: Buffer): { text: string | null; image: PNG } {
  const image = PNG.sync.read(png);
  const code = jsQR(new Uint8ClampedArray(image.data), image.width, image.height, {
    inversionAttempts: 'dontInvert',
  });
  return { text: code ? code.data : null, image };
}

describe('qrPng', () => {
  it.each([
    ['a short campaign link', SHORT_URL],
    ['a personal link with a long token', TOKEN_URL],
  ])('decodes back to exactly %s', async (_name, url) => {
    const { text, image } = await qrPng(url).then(decodeQr);

    expect(text).toBe(url);
    expect(image.width).toBe(600);
    expect(image.height).toBe(600);
  });

  it('honours the requested width', async () => {
    const { text, image } = await qrPng(TOKEN_URL, 300).then(decodeQr);

    expect(text).toBe(TOKEN_URL);
    expect(image.width).toBe(300);
  });

  it('keeps a white quiet zone of four modules around the code', async () => {
    const { image } = await qrPng(TOKEN_URL).then(decodeQr);
    const modules = QRCode.create(TOKEN_URL, { errorCorrectionLevel: 'M' }).modules.size;
    const quiet = Math.floor((image.width * 4) / (modules + 8));
    const luminance = (x: number, y: number) => image.data[(y * image.width + x) * 4] ?? 0;

    for (let i = 0; i < image.width; i++) {
      for (const edge of [0, quiet - 1, image.width - quiet, image.width - 1]) {
        expect(luminance(i, edge)).toBe(255);
        expect(luminance(edge, i)).toBe(255);
      }
    }
    // Just inside the quiet zone sits the dark corner of a finder pattern.
    expect(luminance(quiet + 2, quiet + 2)).toBe(0);
  });
});

describe('qrSvg', () => {
  it('is an SVG whose view box covers the modules plus a four-module margin on each side', async () => {
    const svg = await qrSvg(TOKEN_URL);
    const modules = QRCode.create(TOKEN_URL, { errorCorrectionLevel: 'M' }).modules.size;

    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain(`viewBox="0 0 ${modules + 8} ${modules + 8}"`);
  });
});

describe('posterPdf', () => {
  let parsed: ParsedPdf;
  let pdf: Buffer;

  beforeAll(async () => {
    pdf = await posterPdf({
      url: SHORT_URL,
      organisationName: 'Zarząd Budynków Mieszkalnych w Łodzi',
      titles: [
        { lang: 'ka', text: GEORGIAN_TITLE },
        { lang: 'pl', text: POLISH_TITLE },
        { lang: 'uk', text: UKRAINIAN_TITLE },
        { lang: 'ru', text: 'Опрос жильцов' },
        { lang: 'en', text: 'Resident survey' },
      ],
      languages: ['pl', 'ka', 'uk', 'ru', 'en'],
      opensAt: new Date('2026-03-01T00:00:00Z'),
      closesAt: new Date('2026-04-01T00:00:00Z'),
    });
    parsed = await parsePdf(pdf);
  });

  it('is a one-page PDF titled in the first language', () => {
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(parsed.total).toBe(1);
    expect(parsed.title).toBe(POLISH_TITLE);
  });

  it('shows the link, the titles in Polish and Georgian and the privacy promise in Ukrainian', () => {
    const [page] = parsed.pages;

    expect(page).toContain(SHORT_URL);
    expect(page).toContain(POLISH_TITLE);
    expect(page).toContain(GEORGIAN_TITLE);
    expect(page).toContain(UKRAINIAN_TITLE);
    expect(page).toContain(flat(t('uk', 'privacy')));
    expect(page).toContain(flat(t('ka', 'privacy')));
    expect(page).toContain(t('pl', 'scanToAnswer'));
  });

  it('prints a QR code that reads back as the link', () => {
    expect(parsed.qrCodes).toEqual([SHORT_URL]);
  });

  it('prints the last open day, not the exclusive closing instant', () => {
    expect(parsed.pages[0]).toContain(t('pl', 'openFromTo', { from: '2026-03-01', to: '2026-03-31' }));
  });

  it('names every campaign language in its own language', () => {
    for (const lang of ['pl', 'ka', 'uk', 'ru', 'en'] as const) {
      expect(parsed.pages[0]).toContain(LANGUAGE_NAMES[lang]);
    }
  });
});

describe('lettersPdf', () => {
  const letters: LettersInput['letters'] = [
    {
      url: `${SHORT_URL}?t=AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIIIjjjjKKK`,
      code: 'KQ7M-2PDA',
      label: 'Kwiatowa 5/12',
    },
    {
      url: `${SHORT_URL}?t=ZZZZyyyyXXXXwwwwVVVVuuuuTTTTssssRRRRqqqqPPP`,
      code: 'XW4R-8TNC',
      label: 'Kwiatowa 5/14',
    },
    {
      url: `${SHORT_URL}?t=m1n2b3v4c5x6z7l8k9j0h1g2f3d4s5a6p7o8i9u0y1t`,
      code: 'HB3J-6FEY',
      label: 'Łąkowa 3',
    },
  ];
  let parsed: ParsedPdf;

  beforeAll(async () => {
    const pdf = await lettersPdf({
      organisationName: 'Zarząd Budynków Mieszkalnych w Łodzi',
      titles: [
        { lang: 'pl', text: POLISH_TITLE },
        { lang: 'uk', text: UKRAINIAN_TITLE },
      ],
      languages: ['pl', 'uk'],
      opensAt: new Date('2026-03-01T00:00:00Z'),
      closesAt: null,
      letters,
    });
    parsed = await parsePdf(pdf);
  });

  it('prints one page per letter', () => {
    expect(parsed.total).toBe(3);
    expect(parsed.pages).toHaveLength(3);
  });

  it('puts on each page its own link, code and dwelling, and no other letter’s code', () => {
    letters.forEach((letter, index) => {
      const page = parsed.pages[index];

      expect(page).toContain(letter.url);
      expect(page).toContain(t('pl', 'letterCode', { code: letter.code }));
      expect(page).toContain(t('pl', 'letterDwelling', { label: letter.label ?? '' }));
      for (const other of letters.filter((_, i) => i !== index)) {
        expect(page).not.toContain(other.code);
        expect(page).not.toContain(other.url);
      }
    });
  });

  it('prints on each page a QR code that reads back as that letter’s own link', () => {
    expect(parsed.qrCodes).toEqual(letters.map((letter) => letter.url));
  });

  it('explains the letter in the first language and, smaller, in the second', () => {
    const [page] = parsed.pages;

    expect(page).toContain(flat(t('pl', 'letterBody')));
    expect(page).toContain(flat(t('uk', 'letterBody')));
    expect(page).toContain(t('pl', 'openFrom', { from: '2026-03-01' }));
  });

  it('leaves out the dwelling line when a letter has no label', async () => {
    const pdf = await lettersPdf({
      organisationName: 'Spółdzielnia',
      titles: [{ lang: 'pl', text: POLISH_TITLE }],
      languages: ['pl'],
      opensAt: new Date('2026-03-01T00:00:00Z'),
      closesAt: null,
      letters: [{ url: TOKEN_URL, code: 'KQ7M-2PDA', label: null }],
    });
    const [page] = (await parsePdf(pdf)).pages;

    expect(page).toContain(TOKEN_URL);
    expect(page).not.toContain(t('pl', 'letterDwelling', { label: '' }).trim());
  });

  it('stops drawing, without an error, when the reader closes the stream early', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    let received = 0;
    const reader = new Writable({
      write(chunk: Buffer, _enc, done) {
        received += chunk.length;
        done();
        // A download cancelled after its first bytes.
        if (received > 0) reader.destroy();
      },
    });
    try {
      const many = Array.from({ length: 400 }, (_, i) => ({
        url: `${TOKEN_URL}${i}`,
        code: `C${i}`,
        label: null,
      }));
      await writeLettersPdf(
        {
          organisationName: 'Spółdzielnia',
          titles: [{ lang: 'pl', text: POLISH_TITLE }],
          languages: ['pl'],
          opensAt: new Date('2026-03-01T00:00:00Z'),
          closesAt: null,
          letters: many,
        },
        reader,
      );
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
      expect(reader.destroyed).toBe(true);
      expect(received).toBeGreaterThan(0);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('texts', () => {
  const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  const keys = Object.keys(textsFor('en')) as TextKey[];

  it.each(LANGUAGES.filter((lang) => lang !== 'en'))(
    '%s keeps every placeholder of the English text and translates the text',
    (lang) => {
      for (const key of keys) {
        expect({ key, placeholders: placeholders(t(lang, key)) }).toEqual({
          key,
          placeholders: placeholders(t('en', key)),
        });
        expect(t(lang, key).trim()).not.toBe('');
      }
      expect(t(lang, 'privacy')).not.toBe(t('en', 'privacy'));
    },
  );

  it('falls back to English for an unknown language and reads regional tags', () => {
    expect(t('de', 'language')).toBe('Language');
    expect(t('pl-PL', 'language')).toBe('Język');
    expect(t('KA', 'language')).toBe('ენა');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(t('en', 'openFromTo', { from: '2026-03-01', to: '2026-03-31' })).toBe(
      'Open from 2026-03-01 to 2026-03-31',
    );
    expect(t('en', 'openFromTo', { from: '2026-03-01' })).toBe('Open from 2026-03-01 to {to}');
  });
});
