import { expect, test, type Download, type Page } from '@playwright/test';
import { loginViaApi, tableRows } from './helpers';

// Import and export through the console: an .xlsx SKU file and a GBK store CSV, each
// with one bad row; the error reports; a filtered SKU export that re-imports
// unchanged. The files are made here: a minimal workbook (stored zip) and GBK bytes.

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** zip packs files without compression. */
function zip(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text, 'utf8');
    const fname = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fname.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fname.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fname, data);
    centrals.push(central, fname);
    offset += local.length + fname.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** xlsx makes a one-sheet workbook of text cells. */
function xlsx(rows: string[][]): Buffer {
  const col = (i: number) => String.fromCharCode(65 + i);
  const sheet = rows
    .map(
      (r, i) =>
        `<row r="${i + 1}">` +
        r.map((v, j) => `<c r="${col(j)}${i + 1}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`).join('') +
        '</row>',
    )
    .join('');
  return zip({
    '[Content_Types].xml':
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
      '</Types>',
    '_rels/.rels':
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
      '</Relationships>',
    'xl/workbook.xml':
      '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    'xl/_rels/workbook.xml.rels':
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
      '</Relationships>',
    'xl/worksheets/sheet1.xml':
      '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
      `<sheetData>${sheet}</sheetData></worksheet>`,
  });
}

/** GBK bytes of the few Chinese words the store file uses. */
const GBK: Record<string, number[]> = { 测试店: [0xb2, 0xe2, 0xca, 0xd4, 0xb5, 0xea], 门店: [0xc3, 0xc5, 0xb5, 0xea] };

function gbkCSV(lines: string[]): Buffer {
  const parts: Buffer[] = [];
  for (const line of lines) {
    let rest = line;
    while (rest.length > 0) {
      const word = Object.keys(GBK).find((w) => rest.startsWith(w));
      if (word) {
        parts.push(Buffer.from(GBK[word]));
        rest = rest.slice(word.length);
      } else {
        parts.push(Buffer.from(rest[0], 'latin1'));
        rest = rest.slice(1);
      }
    }
    parts.push(Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

async function readDownload(d: Download): Promise<Buffer> {
  const stream = await d.createReadStream();
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function firstCode(page: Page, path: string): Promise<string> {
  const res = await page.request.get(`/api/v1${path}?limit=1`);
  expect(res.status()).toBe(200);
  return ((await res.json()) as { items: { code: string }[] }).items[0].code;
}

async function importFile(page: Page, name: string, file: { name: string; mimeType: string; buffer: Buffer }) {
  await page.getByTestId(`import-${name}`).click();
  await page.locator('.ant-modal input[type=file]').setInputFiles(file);
  await expect(page.getByTestId('import-result')).toBeVisible();
}

test.describe('import and export', () => {
  test.beforeEach(async ({ page }) => {
    await loginViaApi(page);
  });

  test('SKU xlsx and store GBK CSV with a bad row each; error reports; SKU export re-imports unchanged', async ({ page }) => {
    const category = await firstCode(page, '/categories');
    const brand = await firstCode(page, '/brands');
    const region = await firstCode(page, '/regions');

    // SKUs from .xlsx: one good row, one with a bad price.
    await page.goto('/catalog/products');
    await importFile(page, 'skus', {
      name: 'skus.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: xlsx([
        ['category_code', 'product_code', 'product_name', 'sku_code', 'sku_name', 'list_price'],
        [category, 'E2E-P1', '测试商品', 'E2E-S1', '=测试 SKU', '9.90'],
        [category, 'E2E-P1', '测试商品', 'E2E-S2', '测试 SKU 2', 'abc'],
      ]),
    });
    const skuErrors = tableRows(page, 'import-errors');
    await expect(skuErrors).toHaveCount(1);
    await expect(skuErrors.first()).toContainText('3');
    await expect(skuErrors.first()).toContainText('list_price');
    await page.getByTestId('error-report').click();
    const [csvReport] = await Promise.all([page.waitForEvent('download'), page.getByTestId('error-report-csv').click()]);
    expect(csvReport.suggestedFilename()).toBe('skus-errors.csv');
    const csvText = (await readDownload(csvReport)).toString('utf8');
    expect(csvText.startsWith('\uFEFFline,field,reason')).toBe(true);
    expect(csvText).toContain('3,list_price,');
    await page.keyboard.press('Escape');

    // Stores from GBK CSV: one good row, one with an unknown format.
    await page.goto('/org/stores');
    await importFile(page, 'stores', {
      name: 'stores.csv',
      mimeType: 'text/csv',
      buffer: gbkCSV([
        'code,name,brand_code,region_code,format,city',
        `E2E-ST1,测试店,${brand},${region},supermarket,门店`,
        `E2E-ST2,测试店,${brand},${region},kiosk,门店`,
      ]),
    });
    const storeErrors = tableRows(page, 'import-errors');
    await expect(storeErrors).toHaveCount(1);
    await expect(storeErrors.first()).toContainText('format');
    await page.getByTestId('error-report').click();
    const [xlsxReport] = await Promise.all([page.waitForEvent('download'), page.getByTestId('error-report-xlsx').click()]);
    expect(xlsxReport.suggestedFilename()).toBe('stores-errors.xlsx');
    expect((await readDownload(xlsxReport)).subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
    await page.keyboard.press('Escape');
    const stores = await page.request.get('/api/v1/stores?q=E2E-ST');
    expect(((await stores.json()) as { items: { name: string }[] }).items.map((s) => s.name)).toEqual(['测试店']);

    // A filtered SKU export as .xlsx re-imports unchanged.
    await page.goto('/catalog/products');
    await page.getByPlaceholder(/.+/).first().fill('E2E-S');
    await page.getByPlaceholder(/.+/).first().press('Enter');
    await page.getByTestId('export-skus').click();
    const [exported] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-skus-xlsx').click()]);
    expect(exported.suggestedFilename()).toBe('skus.xlsx');
    const file = await readDownload(exported);
    const before = await (await page.request.get('/api/v1/skus?q=E2E-S')).json();
    const res = await page.request.post('/api/v1/imports/skus', {
      headers: { 'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      data: file,
    });
    expect(res.status(), await res.text()).toBe(200);
    expect(await res.json()).toMatchObject({ rows: 1, created: 0, updated: 1, failed: 0 });
    const after = await (await page.request.get('/api/v1/skus?q=E2E-S')).json();
    expect(after).toEqual(before);
    expect((before as { items: { name: string }[] }).items[0].name).toBe('=测试 SKU');
  });
});
