import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildMime, encodeAddress, encodeHeaderText, mailDate } from '../../infra/local/mime.ts';
import { renderSurveyCard } from '../../shared/surveys/card.ts';

describe('local outbox MIME writer', () => {
  it('writes a multipart/alternative message a real parser reads back exactly, Chinese included', async () => {
    // Prepare
    const card = renderSurveyCard({
      lang: 'zh-CN',
      customerName: '王芳',
      caseNumber: 'SR-20261124-0001',
      technicianName: '李师傅',
      serviceDate: '2026-11-24',
      surveyUrl: 'https://aftercare.example/survey/abc',
    });

    // Act
    const raw = buildMime({
      from: '售后服务 <service@aftercare.example>',
      to: ['wang@example.com'],
      replyTo: ['survey+abcdefghij.t5ug00.abcdefghijklmnopqrstuvwxyz@reply.aftercare.example'],
      subject: card.subject,
      text: card.text,
      html: card.html,
      messageId: '123@outbox.aftercare.local',
      date: new Date('2026-11-25T01:00:00Z'),
    });
    const parsed = await simpleParser(raw);

    // Assess
    expect(raw).toMatch(/^Content-Type: multipart\/alternative; boundary="=_aftercare_[0-9a-f]+"$/m);
    expect(raw.split('\r\n').every((line) => line.length <= 998)).toBe(true);
    expect([...raw].every((char) => char.charCodeAt(0) < 128)).toBe(true);
    expect(parsed.subject).toBe(card.subject);
    expect(parsed.text?.trim()).toBe(card.text.trim());
    expect(parsed.html).toBe(card.html);
    expect(parsed.from?.value[0]).toEqual({ name: '售后服务', address: 'service@aftercare.example' });
    expect(parsed.replyTo?.value[0]?.address).toBe(
      'survey+abcdefghij.t5ug00.abcdefghijklmnopqrstuvwxyz@reply.aftercare.example',
    );
    expect(parsed.messageId).toBe('<123@outbox.aftercare.local>');
    expect(parsed.date?.toISOString()).toBe('2026-11-25T01:00:00.000Z');
  });

  it('writes a single text/plain part when there is no HTML', async () => {
    // Prepare
    const message = {
      from: 'a@example.com',
      to: ['b@example.com'],
      subject: 'Hi',
      text: 'line 1\nline 2',
      messageId: 'x@y',
      date: new Date(0),
    };

    // Act
    const parsed = await simpleParser(buildMime(message));

    // Assess
    expect(parsed.html).toBe(false);
    expect(parsed.text?.trim()).toBe('line 1\nline 2');
  });

  it('keeps header text on one line and encoded words within 75 characters', () => {
    // Act
    const injected = encodeHeaderText('Hello\r\nBcc: victim@example.com');
    const long = encodeHeaderText('请评价我们的服务（服务案件 SR-20261124-0001）请评价我们的服务');

    // Assess
    expect(injected).toBe('Hello Bcc: victim@example.com');
    for (const word of long.split('\r\n ')) expect(word.length).toBeLessThanOrEqual(75);
    expect(encodeAddress('Customer Service <cs@example.com>')).toBe('"Customer Service" <cs@example.com>');
    expect(mailDate(new Date('2026-11-22T20:05:07Z'))).toBe('Sun, 22 Nov 2026 20:05:07 +0000');
  });
});
