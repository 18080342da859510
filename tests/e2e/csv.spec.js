// A dataset CSV opened on the page is read with the engine's CSV grammar (web/app/csv.js, the cases of
// tests/cases/csv.json): a quoted maze row arrives without its quotes, and malformed CSV is an error naming the line.
const { test, expect, link, waitState } = require('./fixtures');
const { MAZE } = require('./known');

test('a dataset CSV with a quoted maze question fills the board with that question', async ({ page }) => {
  await page.goto(link({ task: 'maze', model: MAZE.model }));
  await waitState(page, 'ready');
  const csv = `source,question,answer,rating\r\nheld-out,"${MAZE.puzzle}","${MAZE.puzzle}",12\r\n`;
  await page.locator('#puzzle-file').setInputFiles({ name: 'maze.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.locator('#puzzle-text')).toHaveValue(MAZE.puzzle);
  await expect(page.getByTestId('error')).toBeHidden();
});

test('a malformed CSV is reported with its line, not read as a puzzle', async ({ page }) => {
  await page.goto(link({ task: 'maze', model: MAZE.model }));
  await waitState(page, 'ready');
  const csv = `question,answer\n"${MAZE.puzzle}\n`;  // the quote never closes
  await page.locator('#puzzle-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByTestId('error')).toBeVisible();
  await expect(page.locator('#error-text')).toContainText('CSV line 2: unterminated quoted field');
});
