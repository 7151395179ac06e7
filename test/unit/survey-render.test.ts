import { describe, expect, it } from 'vitest';
import { renderSurveyCard } from '../../shared/surveys/card.ts';
import {
  escapeHtml,
  formatServiceDate,
  parseSurveyForm,
  renderAlreadyAnswered,
  renderExpired,
  renderInvalid,
  renderSurveyForm,
  renderThanks,
  resolveSurveyLang,
  type SurveyLang,
} from '../../shared/surveys/page.ts';
import { SURVEY_ITEMS, SURVEY_LEVELS } from '../../shared/surveys/score.ts';

const SURVEY_URL = 'https://survey.example.com/s/abcdefgh23.sth8w0.aaaaaaaaaaaaaaaaaaaaaaaaaa';
const HOSTILE = '<script>alert(1)</script>';
const HOSTILE_ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';

const LABELS: Record<SurveyLang, { items: string[]; levels: string[]; date: string }> = {
  'zh-CN': {
    items: ['服务态度', '技术水平', '到达时间', '承诺兑现'],
    levels: ['很不满意', '不满意', '满意', '很满意'],
    date: '2025年3月7日',
  },
  en: {
    items: ['Attitude', 'Skill', 'Arrival time', 'Keeping promises'],
    levels: ['Very dissatisfied', 'Dissatisfied', 'Satisfied', 'Very satisfied'],
    date: 'March 7, 2025',
  },
};

function card(overrides: Partial<Parameters<typeof renderSurveyCard>[0]> = {}) {
  return renderSurveyCard({
    lang: 'zh-CN',
    customerName: '王芳',
    caseNumber: 'C-2025-0042',
    technicianName: '李强',
    serviceDate: '2025-03-07',
    surveyUrl: SURVEY_URL,
    ...overrides,
  });
}

function form(overrides: Partial<Parameters<typeof renderSurveyForm>[0]> = {}) {
  return renderSurveyForm({
    lang: 'zh-CN',
    caseNumber: 'C-2025-0042',
    technicianName: '李强',
    serviceDate: '2025-03-07',
    action: '/surveys/abcdefgh23.sth8w0.aaaaaaaaaaaaaaaaaaaaaaaaaa',
    ...overrides,
  });
}

/** Every page is a complete, self-contained document in the requested language. */
function expectCompleteDocument(html: string, lang: SurveyLang): void {
  expect(html.startsWith('<!doctype html>')).toBe(true);
  expect(html).toContain(`<html lang="${lang}">`);
  expect(html).toContain('<meta charset="utf-8">');
  expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  expect(html).not.toMatch(/<script|<link|<img|src=/i);
  expect(html.trimEnd().endsWith('</html>')).toBe(true);
}

describe('escapeHtml', () => {
  it.each([
    ['&', '&amp;'],
    ['<', '&lt;'],
    ['>', '&gt;'],
    ['"', '&quot;'],
    ["'", '&#39;'],
    [HOSTILE, HOSTILE_ESCAPED],
    ['&lt;', '&amp;lt;'],
    ['王芳 & Co', '王芳 &amp; Co'],
    [42, '42'],
  ])('escapes %j as %j', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });
});

describe('resolveSurveyLang', () => {
  it.each([
    ['en', 'en'],
    ['en-GB', 'en'],
    ['EN-us', 'en'],
    ['zh-CN', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['fr', 'zh-CN'],
    ['english', 'zh-CN'],
    [undefined, 'zh-CN'],
    [null, 'zh-CN'],
  ])('resolves %j to %s', (input, expected) => {
    expect(resolveSurveyLang(input)).toBe(expected);
  });
});

describe('formatServiceDate', () => {
  it.each([
    ['zh-CN', '2025-03-07', '2025年3月7日'],
    ['en', '2025-03-07', 'March 7, 2025'],
    ['en', '2025-02-30', '2025-02-30'],
    ['zh-CN', '7 March', '7 March'],
  ] as const)('formats %s %s as %s', (lang, date, expected) => {
    expect(formatServiceDate(lang, date)).toBe(expected);
  });
});

describe('renderSurveyCard', () => {
  it.each(Object.entries(LABELS) as [SurveyLang, (typeof LABELS)[SurveyLang]][])(
    'explains both ways to answer in %s',
    (lang, labels) => {
      // Act
      const { subject, text, html } = card({ lang });

      // Assess
      expect(subject).toContain('C-2025-0042');
      for (const body of [text, html]) {
        expect(body).toContain(SURVEY_URL);
        expect(body).toContain('C-2025-0042');
        expect(body).toContain('李强');
        expect(body).toContain(labels.date);
        expect(body).toContain('4 4 4 4');
        for (const label of [...labels.items, ...labels.levels]) expect(body).toContain(label);
      }
      // The reply digits follow the item order, so the text must list the items in that order.
      const positions = labels.items.map((label, i) => text.indexOf(`${i + 1}. ${label}`));
      expect(positions.every((p) => p >= 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      expect(html).toContain(`<a id="survey-link" href="${SURVEY_URL}"`);
      expect(html).toContain(`<html lang="${lang}">`);
    },
  );

  it('greets the customer by name, or generically without one', () => {
    // Act
    const named = card({ lang: 'en', customerName: 'Ms Wang' });
    const anonymous = card({ lang: 'en', customerName: '  ' });

    // Assess
    expect(named.text.startsWith('Dear Ms Wang,')).toBe(true);
    expect(anonymous.text.startsWith('Dear customer,')).toBe(true);
  });

  it('offers a one-click "all very satisfied" link only when a quick-answer URL is given', () => {
    // Prepare
    const asked: number[] = [];
    const quickAnswerUrl = (level: number) => {
      asked.push(level);
      return `${SURVEY_URL}?preset=${level}`;
    };

    // Act
    const withQuick = card({ lang: 'en', quickAnswerUrl });
    const withoutQuick = card({ lang: 'en' });

    // Assess
    expect(asked).toEqual([4]);
    expect(withQuick.html).toContain(`<a id="quick-answer" href="${SURVEY_URL}?preset=4"`);
    expect(withQuick.html).toContain('All very satisfied');
    expect(withQuick.text).toContain(`${SURVEY_URL}?preset=4`);
    expect(withoutQuick.html).not.toContain('quick-answer');
    expect(withoutQuick.text).not.toContain('preset=');
  });

  it('uses only inline styles and no external assets', () => {
    // Act
    const { html } = card({ quickAnswerUrl: (level) => `${SURVEY_URL}?preset=${level}` });

    // Assess
    expect(html).not.toMatch(/<style|<link|<img|<script|src=|url\(/i);
    expect(html).toContain('<table role="presentation"');
    expect(html.match(/href="/g)).toHaveLength(2);
  });

  it('escapes hostile values everywhere in the HTML', () => {
    // Act
    const { html, text } = card({
      customerName: HOSTILE,
      technicianName: `"><img src=x onerror=alert(1)>`,
      caseNumber: `C-1'&"`,
      surveyUrl: `https://survey.example.com/s/x?a="><script>alert(1)</script>`,
    });

    // Assess
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain(HOSTILE_ESCAPED);
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('C-1&#39;&amp;&quot;');
    expect(html).toContain('href="https://survey.example.com/s/x?a=&quot;&gt;&lt;script&gt;');
    // The plain-text part is not HTML and keeps the values as they are.
    expect(text).toContain(HOSTILE);
  });

  it('keeps the subject on one line whatever the case number contains', () => {
    // Act
    const { subject } = card({ caseNumber: 'C-1\r\nBcc: victim@example.com' });

    // Assess
    expect(subject).not.toMatch(/[\r\n]/);
  });

  it.each([
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a relative URL', '/s/abc'],
    ['a data: URL', 'data:text/html,hi'],
  ])('refuses to mail %s', (_, surveyUrl) => {
    // Act + Assess
    expect(() => card({ surveyUrl })).toThrow(TypeError);
    expect(() => card({ quickAnswerUrl: () => surveyUrl })).toThrow(TypeError);
  });
});

describe('renderSurveyForm', () => {
  it.each(Object.entries(LABELS) as [SurveyLang, (typeof LABELS)[SurveyLang]][])(
    'renders a complete, script-free form in %s',
    (lang, labels) => {
      // Act
      const html = form({ lang });

      // Assess
      expectCompleteDocument(html, lang);
      expect(html).toContain(
        '<form method="post" action="/surveys/abcdefgh23.sth8w0.aaaaaaaaaaaaaaaaaaaaaaaaaa"',
      );
      for (const label of [...labels.items, ...labels.levels, labels.date]) expect(html).toContain(label);
      expect(html).toContain('C-2025-0042');
      expect(html).toContain('<textarea id="comment" name="comment"');
      expect(html).toContain('<input type="checkbox" id="complaint" name="complaint" value="yes"');
      expect(html).toContain('<label for="complaint">');
      expect(html).toMatch(/<button type="submit" id="submit">/);
    },
  );

  it('offers four levels for each of the four items, each with a clickable label', () => {
    // Act
    const html = form();

    // Assess
    for (const item of SURVEY_ITEMS) {
      for (const level of SURVEY_LEVELS) {
        expect(html).toContain(`<input type="radio" id="${item}-${level}" name="${item}" value="${level}"`);
        expect(html).toContain(`<label for="${item}-${level}">`);
      }
    }
    expect(html.match(/type="radio"/g)).toHaveLength(16);
  });

  it('shows submitted values again, escaped', () => {
    // Act
    const html = form({
      values: { attitude: '4', skill: 3, comment: `</textarea>${HOSTILE}`, complaint: true },
    });

    // Assess
    expect(html).toMatch(/id="attitude-4"[^>]* checked/);
    expect(html).toMatch(/id="skill-3"[^>]* checked/);
    expect(html).not.toMatch(/id="attitude-3"[^>]* checked/);
    expect(html).not.toMatch(/id="arrival-\d"[^>]* checked/);
    expect(html).toMatch(/id="complaint"[^>]* checked/);
    expect(html).not.toContain('<script>');
    expect(html).toContain(`&lt;/textarea&gt;${HOSTILE_ESCAPED}</textarea>`);
  });

  it('escapes hostile case data and the form action', () => {
    // Act
    const html = form({
      caseNumber: HOSTILE,
      technicianName: HOSTILE,
      serviceDate: HOSTILE,
      action: '/s/x"><script>alert(1)</script>',
    });

    // Assess
    expect(html).not.toContain('<script>');
    expect(html).toContain(HOSTILE_ESCAPED);
    expect(html).toContain('action="/s/x&quot;&gt;&lt;script&gt;');
  });

  it('shows each error next to its field and in a summary linking to it', () => {
    // Act
    const html = form({ lang: 'en', errors: { skill: 'Please choose a rating.', comment: HOSTILE } });

    // Assess
    expect(html).toContain('<div class="errors" id="errors" role="alert">');
    expect(html).toContain('<a href="#skill-1">Skill</a>: Please choose a rating.');
    expect(html).toContain('<p class="error" id="skill-error">Please choose a rating.</p>');
    expect(html).toContain('aria-describedby="skill-error"');
    expect(html).toContain(`<p class="error" id="comment-error">${HOSTILE_ESCAPED}</p>`);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('id="attitude-error"');
  });

  it('shows no error summary when there are no errors', () => {
    expect(form()).not.toContain('id="errors"');
  });
});

describe('status pages', () => {
  it.each([
    ['zh-CN', '感谢您的评价'],
    ['en', 'Thank you for your feedback'],
  ] as const)('confirms the answer in %s', (lang, title) => {
    // Act
    const html = renderThanks({ lang, caseNumber: 'C-2025-0042' });

    // Assess
    expectCompleteDocument(html, lang);
    expect(html).toContain('id="thanks"');
    expect(html).toContain(title);
    expect(html).toContain('C-2025-0042');
  });

  it.each([
    ['zh-CN', '此调查已完成', '2025年3月8日 10:30'],
    ['en', 'This survey has already been answered', '10:30'],
  ] as const)('says in %s when the card was already answered, in China time', (lang, title, time) => {
    // Act
    const html = renderAlreadyAnswered({
      lang,
      caseNumber: 'C-2025-0042',
      answeredAt: new Date('2025-03-08T02:30:00Z'),
    });

    // Assess
    expectCompleteDocument(html, lang);
    expect(html).toContain('id="already-answered"');
    expect(html).toContain(title);
    expect(html).toContain(time);
  });

  it('says the card was already answered without a time when none is known', () => {
    // Act
    const html = renderAlreadyAnswered({ lang: 'en', caseNumber: 'C-2025-0042' });

    // Assess
    expect(html).toContain('The survey for case C-2025-0042 was answered. ');
  });

  it.each([
    ['zh-CN', '调查链接已过期'],
    ['en', 'This survey link has expired'],
  ] as const)('explains an expired link in %s', (lang, title) => {
    // Act
    const html = renderExpired({ lang });

    // Assess
    expectCompleteDocument(html, lang);
    expect(html).toContain('id="expired"');
    expect(html).toContain(title);
    expect(html).toContain('14');
  });

  it.each([
    ['zh-CN', '链接无效'],
    ['en', 'This link is not valid'],
  ] as const)('explains an invalid link in %s', (lang, title) => {
    // Act
    const html = renderInvalid({ lang });

    // Assess
    expectCompleteDocument(html, lang);
    expect(html).toContain('id="invalid"');
    expect(html).toContain(title);
  });

  it('escapes a hostile case number on the status pages', () => {
    // Act
    const pages = [
      renderThanks({ lang: 'en', caseNumber: HOSTILE }),
      renderAlreadyAnswered({ lang: 'en', caseNumber: HOSTILE, answeredAt: new Date() }),
    ];

    // Assess
    for (const html of pages) {
      expect(html).not.toContain('<script>');
      expect(html).toContain(HOSTILE_ESCAPED);
    }
  });
});

describe('parseSurveyForm', () => {
  const ALL = 'attitude=4&skill=3&arrival=2&promise=1';

  it('returns the four levels, the trimmed comment and the complaint tick', () => {
    // Act
    const result = parseSurveyForm(`${ALL}&comment=++Late+again.%0D%0ANobody+called.++&complaint=yes`);

    // Assess
    expect(result).toEqual({
      ok: true,
      answers: { attitude: 4, skill: 3, arrival: 2, promise: 1 },
      comment: 'Late again.\nNobody called.',
      complaint: true,
    });
  });

  it('treats a missing comment and an unticked box as no comment and no complaint', () => {
    // Act
    const result = parseSurveyForm(`${ALL}&comment=`);

    // Assess
    expect(result).toEqual({
      ok: true,
      answers: { attitude: 4, skill: 3, arrival: 2, promise: 1 },
      comment: '',
      complaint: false,
    });
  });

  it('keeps hostile text as plain data', () => {
    // Act
    const result = parseSurveyForm(`${ALL}&comment=${encodeURIComponent(HOSTILE)}`);

    // Assess
    expect(result).toMatchObject({ ok: true, comment: HOSTILE });
  });

  it.each([
    ['attitude', 'missing', 'skill=3&arrival=2&promise=1', 'Please choose a rating.'],
    ['skill', 'empty', 'attitude=4&skill=&arrival=2&promise=1', 'Please choose a rating.'],
    ['arrival', '0', 'attitude=4&skill=3&arrival=0&promise=1', 'Please choose a rating from 1 to 4.'],
    ['promise', '5', 'attitude=4&skill=3&arrival=2&promise=5', 'Please choose a rating from 1 to 4.'],
    ['attitude', '4.0', 'attitude=4.0&skill=3&arrival=2&promise=1', 'Please choose a rating from 1 to 4.'],
    ['attitude', 'padded', 'attitude=+4&skill=3&arrival=2&promise=1', 'Please choose a rating from 1 to 4.'],
    ['skill', 'text', 'attitude=4&skill=good&arrival=2&promise=1', 'Please choose a rating from 1 to 4.'],
    [
      'skill',
      'given twice',
      'attitude=4&skill=3&skill=1&arrival=2&promise=1',
      'Please choose a rating from 1 to 4.',
    ],
    ['complaint', 'not "yes"', `${ALL}&complaint=no`, 'Invalid choice.'],
  ])('names the field %s when it is %s', (field, _, body, message) => {
    // Act
    const result = parseSurveyForm(body, 'en');

    // Assess
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toEqual({ [field]: message });
  });

  it('accepts the same level given twice, as a resubmitted form may send it', () => {
    expect(parseSurveyForm(`${ALL}&attitude=4`).ok).toBe(true);
  });

  it('reports every missing item at once, in the requested language', () => {
    // Act
    const result = parseSurveyForm('comment=hi', 'zh-CN');

    // Assess
    expect(result).toEqual({
      ok: false,
      errors: {
        attitude: '请选择一个等级。',
        skill: '请选择一个等级。',
        arrival: '请选择一个等级。',
        promise: '请选择一个等级。',
      },
      values: { comment: 'hi', complaint: false },
    });
  });

  it.each([
    ['4000 characters', 'a'.repeat(4000), true],
    ['4001 characters', 'a'.repeat(4001), false],
    ['4000 Chinese characters', '好'.repeat(4000), true],
    ['4000 emoji (surrogate pairs)', '😀'.repeat(4000), true],
    [
      '4000 characters with CRLF line breaks counted once',
      `${'a'.repeat(1999)}\r\n${'b'.repeat(2000)}`,
      true,
    ],
  ])('limits the comment: %s accepted is %s', (_, comment, accepted) => {
    // Act
    const result = parseSurveyForm(`${ALL}&comment=${encodeURIComponent(comment)}`, 'en');

    // Assess
    expect(result.ok).toBe(accepted);
    if (!result.ok) expect(result.errors).toEqual({ comment: 'Please keep it to 4000 characters or fewer.' });
  });

  it('returns what was submitted so the form can be shown again', () => {
    // Act
    const result = parseSurveyForm('attitude=4&skill=9&comment=%3Cb%3Ehi&complaint=yes', 'en');

    // Assess
    expect(result).toMatchObject({
      ok: false,
      values: { attitude: '4', skill: '9', comment: '<b>hi', complaint: true },
    });
  });

  it('strips control characters from the comment', () => {
    // Act
    const result = parseSurveyForm(`${ALL}&comment=a%00b%1Bc%09d`);

    // Assess
    expect(result).toMatchObject({ ok: true, comment: 'abc\td' });
  });
});
