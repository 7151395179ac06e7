import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  htmlToPlainText,
  parseAnswerText,
  parseSurveyReply,
  stripQuotedText,
} from '../../shared/surveys/reply-parser.ts';
import { ALL_4434, mailSamples } from '../fixtures/mail-samples.ts';

function fixture(name: string): Buffer {
  return readFileSync(new URL(`../fixtures/mail/${name}`, import.meta.url));
}

/** A minimal message around `body`, for cases that need no fixture file of their own. */
function message(headers: Record<string, string>, body: string): string {
  const all = {
    'Message-ID': '<inline.1@example.com>',
    Date: 'Tue, 4 Nov 2025 08:00:00 +0000',
    From: 'Customer <customer@example.com>',
    Subject: 'Re: How was our service?',
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=UTF-8',
    ...headers,
  };
  const head = Object.entries(all)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n');
  return `${head}\r\n\r\n${body.replace(/\n/g, '\r\n')}`;
}

describe('parseSurveyReply on hand-made fixture messages', () => {
  it.each(mailSamples)('$file: $behaviour', async (c) => {
    // Prepare
    const raw = fixture(c.file);

    // Act
    const reply = await parseSurveyReply(raw);

    // Assess
    expect(reply.token).toBe(c.token);
    expect(reply.answers).toEqual(c.answers);
    expect(reply.complete).toBe(Object.keys(c.answers).length === 4);
    expect(reply.flagged).toBe(c.flagged);
    if (c.flagReason) expect(reply.flagReason).toMatch(c.flagReason);
    else expect(reply.flagReason).toBeUndefined();
    expect(reply.comment).toBe(c.comment);
    for (const text of c.notInComment ?? []) expect(reply.comment).not.toContain(text);
  });

  it('reports the sender address and Message-ID of the reply', async () => {
    // Prepare
    const raw = fixture('chinese-base64.eml');

    // Act
    const reply = await parseSurveyReply(raw);

    // Assess
    expect(reply.from).toBe('li.na@mail.example.com');
    expect(reply.messageId).toBe('<tencent_5B2C8E3F1A9D4C7E@mail.example.com>');
  });

  it('accepts the raw message as a string as well as a Buffer', async () => {
    // Prepare
    const raw = fixture('plain-digits.eml').toString('utf8');

    // Act
    const reply = await parseSurveyReply(raw);

    // Assess
    expect(reply.answers).toEqual(ALL_4434);
    expect(reply.flagged).toBe(false);
  });
});

describe('parseSurveyReply on input that is not a usable e-mail', () => {
  it('flags binary junk without throwing and recovers no control characters', async () => {
    // Prepare
    const raw = fixture('garbage-binary.eml');

    // Act
    const reply = await parseSurveyReply(raw);

    // Assess
    expect(reply).toMatchObject({ token: null, answers: {}, complete: false, flagged: true });
    expect(reply.flagReason).toBeTruthy();
    const unreadable = [...reply.comment].filter((char) => {
      const code = char.codePointAt(0) ?? 0;
      return (code < 0x20 && char !== '\n' && char !== '\t') || code === 0xfffd;
    });
    expect(unreadable).toEqual([]);
  });

  it.each([
    { input: '', what: 'an empty string' },
    { input: Buffer.alloc(0), what: 'an empty Buffer' },
    { input: Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80]), what: 'a few binary bytes' },
    {
      input: 'Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n',
      what: 'a cut-off multipart',
    },
    {
      input: message({ 'Content-Transfer-Encoding': 'base64' }, '!!!not base64 at all***'),
      what: 'a body that is not valid base64',
    },
    {
      input: message({ 'Content-Type': 'text/plain; charset=x-no-such-charset' }, '4 4 3 4'),
      what: 'an unknown charset',
    },
    { input: undefined as unknown as string, what: 'undefined from an untyped caller' },
  ])('resolves flagged, never throws, for $what', async ({ input }) => {
    // Prepare: the input itself.

    // Act
    const reply = await parseSurveyReply(input);

    // Assess
    expect(reply.flagged).toBe(true);
    expect(typeof reply.comment).toBe('string');
  });

  it('recovers the readable text of something that is not an e-mail, without taking answers from it', async () => {
    // Prepare
    const raw = 'four four three four, lovely service';

    // Act
    const reply = await parseSurveyReply(raw);

    // Assess
    expect(reply).toMatchObject({
      answers: {},
      flagged: true,
      comment: 'four four three four, lovely service',
    });
    expect(reply.flagReason).toMatch(/could not be read as an e-mail/);
  });

  it('falls back to its own HTML conversion when the HTML is too long for mailparser to convert', async () => {
    // Prepare: a large inline style block pushes the HTML past the conversion limit.
    const padding = `<style>${'.x{color:red}'.repeat(90_000)}</style>`;
    const raw = message(
      { To: 'survey+abc234defg.t5ug00.q@aftercare.example', 'Content-Type': 'text/html; charset=UTF-8' },
      `<html><head>${padding}</head><body><p>4 4 3 4</p><p>Fine &amp; fast.</p>` +
        '<blockquote>On Mon, Customer Service wrote:<br>1 1 1 1</blockquote></body></html>',
    );

    // Act
    const reply = await parseSurveyReply(raw);

    // Assess
    expect(reply.answers).toEqual(ALL_4434);
    expect(reply.comment).toBe('Fine & fast.');
  });
});

describe('parseSurveyReply token lookup', () => {
  const token = 'q7rt2xk4mn.t5ug00.abcdefghijklmnopqrstuvwxyz';

  it.each<{ where: string; headers: Record<string, string> }>([
    { where: 'Cc', headers: { To: 'service@aftercare.example', Cc: `survey+${token}@aftercare.example` } },
    {
      where: 'Delivered-To',
      headers: { To: 'survey@aftercare.example', 'Delivered-To': `survey+${token}@aftercare.example` },
    },
    {
      where: 'a To list with a group and a display name that looks like an address',
      headers: {
        To: `"survey+fake@aftercare.example" <desk@aftercare.example>, Team: a@example.com, Survey <Survey+${token}@aftercare.example>;`,
      },
    },
  ])('finds the token in $where', async ({ headers }) => {
    // Prepare
    const raw = message(headers, '4 4 3 4');

    // Act
    const reply = await parseSurveyReply(raw);

    // Assess
    expect(reply.token).toBe(token);
    expect(reply.flagged).toBe(false);
  });

  it('flags, and takes neither, when two different survey tokens are among the recipients', async () => {
    // Prepare
    const raw = message(
      { To: `survey+${token}@aftercare.example`, Cc: 'survey+aaaaaaaaaa.t5ug00.b@aftercare.example' },
      '4 4 3 4',
    );

    // Act
    const reply = await parseSurveyReply(raw);

    // Assess
    expect(reply.token).toBeNull();
    expect(reply.flagReason).toMatch(/several different survey tokens/);
  });

  it.each([
    { what: 'longer than 57 characters', local: `survey+${'a'.repeat(58)}` },
    { what: 'with characters outside [a-z0-9.]', local: 'survey+abc_def' },
    { what: 'empty', local: 'survey+' },
  ])('flags a survey+ address whose token is $what', async ({ local }) => {
    // Prepare
    const raw = message({ To: `${local}@aftercare.example` }, '4 4 3 4');

    // Act
    const reply = await parseSurveyReply(raw);

    // Assess
    expect(reply.token).toBeNull();
    expect(reply.flagged).toBe(true);
  });
});

describe('parseAnswerText', () => {
  it.each([
    { form: 'digits separated by spaces', text: '4 4 3 4', answers: ALL_4434 },
    { form: 'digits separated by commas', text: '4,4,3,4', answers: ALL_4434 },
    { form: 'digits separated by commas and spaces', text: '4, 4, 3, 4', answers: ALL_4434 },
    { form: 'digits separated by slashes', text: '4/4/3/4', answers: ALL_4434 },
    { form: 'a bare four-digit token', text: '4434', answers: ALL_4434 },
    { form: 'full-width digits and spaces', text: '４\u3000４\u3000３\u3000４', answers: ALL_4434 },
    { form: 'full-width digits and commas', text: '４，４，３，４', answers: ALL_4434 },
    { form: 'digits separated by 、', text: '4、4、3、4', answers: ALL_4434 },
    { form: 'digits after a "Ratings:" label', text: 'Ratings: 4 4 3 4', answers: ALL_4434 },
    { form: 'digits after a 评分 label', text: '评分：4 4 3 4', answers: ALL_4434 },
    {
      form: 'English item names with ":", space, "-" and "="',
      text: 'attitude: 4\nSkill 3\narrival time - 2\nkeeping promises = 4',
      answers: { attitude: 4, skill: 3, arrival: 2, promise: 4 },
    },
    {
      form: 'English level words',
      text: 'Attitude: very satisfied\nSkill: satisfied\nArrival: dissatisfied\nPromise: very dissatisfied',
      answers: { attitude: 4, skill: 3, arrival: 2, promise: 1 },
    },
    {
      form: 'Chinese item names with digits and a full-width colon',
      text: '服务态度：4\n技术水平 3\n到达时间：2\n守信：1',
      answers: { attitude: 4, skill: 3, arrival: 2, promise: 1 },
    },
    {
      form: 'Chinese level words, longest first',
      text: '服务态度：非常不满意\n技能：不满意\n准时：满意\n信守承诺：非常满意',
      answers: { attitude: 1, skill: 2, arrival: 3, promise: 4 },
    },
    {
      form: "the card's own Chinese labels and level words",
      text: '服务态度 很满意\n技术水平 很不满意\n及时：满意\n承诺兑现：不满意',
      answers: { attitude: 4, skill: 1, arrival: 3, promise: 2 },
    },
    {
      form: 'full-width digits after Chinese item names',
      text: '服务态度：４\n技术水平：４\n到达时间：３\n承诺：４',
      answers: ALL_4434,
    },
    {
      form: 'several items on one line',
      text: 'attitude 4, skill 4, arrival 3, promise 4',
      answers: ALL_4434,
    },
    {
      form: 'several items on one line without commas',
      text: 'Attitude 4 Skill 4 Arrival 3 Promise 4',
      answers: ALL_4434,
    },
    {
      form: 'Chinese items with 分 on one line',
      text: '服务态度4分，技术水平4分，到达时间3分，守信4分',
      answers: ALL_4434,
    },
    {
      form: 'a numbered list copied from the card',
      text: '1. Attitude: 4\n2. Skill: 4\n3. Arrival time: 3\n4. Keeping promises: 4',
      answers: ALL_4434,
    },
  ])('reads $form and removes those lines from the comment', ({ text, answers }) => {
    // Prepare: the text.

    // Act
    const result = parseAnswerText(text);

    // Assess
    expect(result.answers).toEqual(answers);
    expect(result.comment).toBe('');
    expect(result.problems).toEqual([]);
  });

  it('keeps every line that is not an answer, in order, as the comment', () => {
    // Prepare
    const text = 'Hello,\n\n4 4 3 4\n\nThe fridge works again.\nThanks!';

    // Act
    const result = parseAnswerText(text);

    // Assess
    expect(result.answers).toEqual(ALL_4434);
    expect(result.answerLines).toEqual(['4 4 3 4']);
    expect(result.comment).toBe('Hello,\n\nThe fridge works again.\nThanks!');
  });

  it.each([
    { form: 'digits followed by a remark', text: '4 4 3 4 - very quick, thanks', answers: ALL_4434 },
    { form: 'an item followed by a remark', text: 'Attitude: 4 (very polite)', answers: { attitude: 4 } },
    {
      form: 'a Chinese item followed by a remark',
      text: '守信非常满意，师傅人很好',
      answers: { promise: 4 },
    },
  ])('reads $form but keeps the whole line in the comment for its context', ({ text, answers }) => {
    // Prepare: the text.

    // Act
    const result = parseAnswerText(text);

    // Assess
    expect(result.answers).toEqual(answers);
    expect(result.comment).toBe(text);
  });

  it.each([
    { what: "the card's example line", text: 'For example: 4 4 4 4' },
    { what: "the card's Chinese example line", text: '例如：4 4 4 4' },
    { what: 'a scale copied after an item name', text: 'Attitude: 1 2 3 4' },
    {
      what: "the card's scale",
      text: 'Scale: 1 = Very dissatisfied, 2 = Dissatisfied, 3 = Satisfied, 4 = Very satisfied',
    },
    { what: 'a duration after an item name', text: 'arrival 2 hours late' },
    { what: 'a time of day after an item name', text: 'arrival time 9:30' },
    { what: 'a Chinese time of day', text: '到达时间3点' },
    { what: 'a year', text: '2025' },
    { what: 'a four-digit number with digits above 4', text: '4534' },
    { what: 'five digits', text: '4 4 3 4 4' },
    { what: 'three digits', text: '4 4 3' },
    { what: 'a level word without an item', text: '非常满意' },
    { what: 'an item inside another word', text: 'compromise 4' },
    { what: 'a level that is not one of the four', text: '服务态度：一般' },
  ])('does not take $what for an answer', ({ text }) => {
    // Prepare: the text.

    // Act
    const result = parseAnswerText(text);

    // Assess
    expect(result.answers).toEqual({});
    expect(result.comment).toBe(text);
  });

  it.each([
    { what: 'an item rated 5', text: 'attitude: 5', answers: {}, problem: /attitude: "5" is not a level/ },
    { what: 'an item rated 0', text: 'skill 0', answers: {}, problem: /skill: "0" is not a level/ },
    {
      what: 'a fractional rating',
      text: '技术水平：3.5',
      answers: {},
      problem: /skill: "3.5" is not a level/,
    },
    {
      what: 'a digit line with a 5 in it',
      text: '4 5 3 4',
      answers: {},
      problem: /outside 1 to 4 \(5\); none taken/,
    },
    { what: 'a digit line with a 0 in it', text: '0,4,3,4', answers: {}, problem: /outside 1 to 4 \(0\)/ },
    {
      what: 'one item rated twice differently',
      text: '4 4 3 4\nattitude: 2',
      answers: ALL_4434,
      problem: /attitude answered twice with different levels \(4 and 2\)/,
    },
  ])('reports $what as a problem instead of an answer', ({ text, answers, problem }) => {
    // Prepare: the text.

    // Act
    const result = parseAnswerText(text);

    // Assess
    expect(result.answers).toEqual(answers);
    expect(result.problems.join('; ')).toMatch(problem);
    expect(result.comment).toContain(text.split('\n').at(-1));
  });
});

describe('stripQuotedText', () => {
  it.each([
    {
      marker: 'an "On … wrote:" attribution',
      text: '4 4 3 4\n\nOn Mon, 3 Nov 2025 at 09:00, Customer Service <survey+x@aftercare.example> wrote:\n> 1 1 1 1',
      own: '4 4 3 4',
    },
    {
      marker: 'an attribution wrapped over two lines',
      text: '4 4 3 4\nOn Mon, 3 Nov 2025 at 09:00, Customer Service\n<survey+x@aftercare.example> wrote:\n\nDear customer',
      own: '4 4 3 4',
    },
    {
      marker: '-----Original Message-----',
      text: '4 4 3 4\n-----Original Message-----\nFrom: Customer Service\nFor example: 1 1 1 1',
      own: '4 4 3 4',
    },
    {
      marker: "Outlook's underscore line",
      text: '4 4 3 4\n________________________________\nFrom: Customer Service\n1 1 1 1',
      own: '4 4 3 4',
    },
    {
      marker: '发件人： with a full-width colon',
      text: '4 4 3 4\n发件人：客户服务部\n1 1 1 1',
      own: '4 4 3 4',
    },
    { marker: '发件人: with an ASCII colon', text: '4 4 3 4\n 发件人: 客户服务部\n1 1 1 1', own: '4 4 3 4' },
    { marker: '-----原始邮件-----', text: '4 4 3 4\n-----原始邮件-----\n1 1 1 1', own: '4 4 3 4' },
    {
      marker: "QQ Mail's 原始邮件 line",
      text: '4 4 3 4\n------------------\u00a0原始邮件\u00a0------------------\n1 1 1 1',
      own: '4 4 3 4',
    },
    {
      marker: 'a 在 … 写道： attribution',
      text: '4 4 3 4\n在 2025年11月3日 09:00，客户服务部 <survey+x@aftercare.example> 写道：\n> 1 1 1 1',
      own: '4 4 3 4',
    },
    {
      marker: 'an Apple Mail Chinese attribution without 在',
      text: '4 4 3 4\n2025年11月3日 09:00，客户服务部 <survey+x@aftercare.example> 写道：\n> 1 1 1 1',
      own: '4 4 3 4',
    },
    {
      marker: 'a From: header block',
      text: '4 4 3 4\n\nFrom: Customer Service <survey+x@aftercare.example>\nDate: Mon, 3 Nov 2025\nSubject: Survey\n\n1 1 1 1',
      own: '4 4 3 4',
    },
    {
      marker: 'a forward marker with the customer text above',
      text: '4 4 3 4\n---------- Forwarded message ---------\nFrom: Customer Service\n\n1 1 1 1',
      own: '4 4 3 4',
    },
    {
      marker: 'a signature after "-- "',
      text: '4 4 3 4\nThanks\n-- \nJohn\n+44 1 2 3 4',
      own: '4 4 3 4\nThanks',
    },
    { marker: 'a signature delimiter without its space', text: '4 4 3 4\n--\nJohn', own: '4 4 3 4' },
    { marker: '">" quoted lines', text: '> 1 1 1 1\n4 4 3 4\n>> 2 2 2 2', own: '4 4 3 4' },
    { marker: 'a mobile signature', text: '4 4 3 4\n\n发自我的iPhone', own: '4 4 3 4' },
  ])('keeps only the text above $marker', ({ text, own }) => {
    // Prepare: the text.

    // Act
    const result = stripQuotedText(text);

    // Assess
    expect(result).toBe(own);
  });

  it.each([
    { what: 'a sentence merely ending in "wrote:"', text: 'Here is what my wife wrote:\n4 4 3 4' },
    { what: 'a "From:" line that opens no header block', text: 'From: the whole family\n4 4 3 4' },
  ])('does not cut at $what', ({ text }) => {
    // Prepare: the text.

    // Act
    const result = stripQuotedText(text);

    // Assess
    expect(result).toBe(text);
  });

  it('reads below a forward marker when nothing is above it, skipping the forwarded headers and the quote further down', () => {
    // Prepare
    const text = [
      '',
      '---------- Forwarded message ---------',
      'From: Me <me@example.com>',
      'Date: Tue, 4 Nov 2025',
      'Subject: Re: survey',
      '',
      '4 4 3 4',
      '',
      'On Mon, 3 Nov 2025, Customer Service <survey+x@aftercare.example> wrote:',
      '> For example: 1 1 1 1',
    ].join('\n');

    // Act
    const result = stripQuotedText(text);

    // Assess
    expect(result).toBe('4 4 3 4');
  });

  it('reads nothing below an unquoted original when nothing is above it', () => {
    // Prepare
    const text = '-----Original Message-----\nFrom: Customer Service\n\n2 2 2 2';

    // Act
    const result = stripQuotedText(text);

    // Assess
    expect(result).toBe('');
  });
});

describe('htmlToPlainText', () => {
  it.each([
    {
      what: 'block elements as line breaks',
      html: '<div>4 4 3 4</div><p>Thanks</p>a<br>b',
      text: '4 4 3 4\nThanks\na\nb',
    },
    {
      what: 'entities decoded once',
      html: '&lt;b&gt; &amp;amp; &#20320;&#x597d; &nbsp;x',
      text: '<b> &amp; 你好 \u00a0x',
    },
    {
      what: 'script and style content dropped',
      html: 'a<script>alert(1)</script>b<STYLE>p{}</STYLE>c',
      text: 'abc',
    },
    { what: 'comments dropped, even unterminated', html: 'a<!-- hidden -->b<!-- never closed', text: 'ab' },
    { what: 'a lone "<" kept as text', html: '<p>3 < 4</p>', text: '3 < 4' },
    {
      what: 'blockquote content marked as quoted, nested too',
      html: '<div>4 4 3 4</div><blockquote>On x wrote:<blockquote>1 1 1 1</blockquote>2 2 2 2</blockquote>end',
      text: '4 4 3 4\n> On x wrote:\n> 1 1 1 1\n> 2 2 2 2\nend',
    },
  ])('converts HTML with $what', ({ html, text }) => {
    // Prepare: the HTML.

    // Act
    const result = htmlToPlainText(html);

    // Assess
    expect(result).toBe(text);
  });
});

describe('parseSurveyReply and the SES scan verdicts', () => {
  const token = 'q7rt2xk4mn.t5ug00.abcdefghijklmnopqrstuvwxyz';
  const to = { To: `survey+${token}@aftercare.example` };

  it.each<{ headers: Record<string, string>; reason: RegExp }>([
    {
      headers: { 'X-SES-Spam-Verdict': 'FAIL', 'X-SES-Virus-Verdict': 'PASS' },
      reason: /spam scan verdict FAIL/,
    },
    {
      headers: { 'X-SES-Spam-Verdict': 'PASS', 'X-SES-Virus-Verdict': 'FAIL' },
      reason: /virus scan verdict FAIL/,
    },
    { headers: { 'X-SES-Spam-Verdict': 'GRAY' }, reason: /spam scan verdict GRAY/ },
    {
      headers: { 'X-SES-Virus-Verdict': 'PROCESSING_FAILED' },
      reason: /virus scan verdict PROCESSING_FAILED/,
    },
  ])('flags a complete reply with $headers, still reading its answers', async ({ headers, reason }) => {
    // Prepare
    const raw = message({ ...to, ...headers }, '4 4 3 4');

    // Act
    const reply = await parseSurveyReply(raw);

    // Assess
    expect(reply).toMatchObject({ flagged: true, answers: ALL_4434, complete: true, token });
    expect(reply.flagReason).toMatch(reason);
  });

  it.each<{ what: string; headers: Record<string, string> }>([
    { what: 'both verdicts PASS', headers: { 'X-SES-Spam-Verdict': 'PASS', 'X-SES-Virus-Verdict': 'PASS' } },
    { what: 'no verdict headers (not received through SES)', headers: {} },
  ])('reads a reply with $what as usual', async ({ headers }) => {
    // Act
    const reply = await parseSurveyReply(message({ ...to, ...headers }, '4 4 3 4'));

    // Assess
    expect(reply).toMatchObject({ flagged: false, answers: ALL_4434 });
  });
});
