/**
 * The `status_pages` section: public status pages served by `vigil serve` at `/status/<slug>` (and the default one
 * at `/`). A page lists sections of public monitors — a whole group, or monitors named one by one — in the order
 * given; a monitor that is not `public` is never shown, whatever the page says.
 */
import { z } from 'zod';
import { text, urlWith } from './fields.js';

/** Languages the pages are translated into (web/status-page/i18n). */
export const STATUS_PAGE_LANGUAGES = ['en', 'de'] as const;
export type StatusPageLanguage = (typeof STATUS_PAGE_LANGUAGES)[number];

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

const link = z.strictObject({
  label: text().describe('The text of the link.'),
  url: urlWith(['https:', 'http:', 'mailto:']).describe('Where it goes: an https://, http:// or mailto: URL.'),
});

const section = z
  .strictObject({
    title: text().optional().describe('The heading. Default: the group name.'),
    group: text().optional().describe("Every public monitor of this group (monitors' `group`), in configuration order."),
    monitors: z.array(text()).min(1, { error: 'name at least one monitor' }).optional().describe('Monitors by id, in this order.'),
  })
  .superRefine((value, ctx) => {
    if ((value.group === undefined) === (value.monitors === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one of group or monitors' });
    }
    if (value.monitors !== undefined && value.title === undefined) {
      ctx.addIssue({ code: 'custom', path: ['title'], message: 'a section of named monitors needs a title' });
    }
  });

const page = z.strictObject({
  slug: z
    .string()
    .regex(SLUG, { error: 'expected lower-case letters, digits and dashes, like "api" or "internal-tools"' })
    .describe('The page is served at `/status/<slug>`.'),
  title: text().describe('Shown as the heading and in the browser tab.'),
  description: text().optional().describe('A line under the title.'),
  logo: urlWith(['https:', 'http:']).optional().describe('An image URL shown next to the title.'),
  links: z.array(link).default([]).describe('Links in the header: your site, your support page.'),
  footer: text().optional().describe('A line of text at the bottom of the page.'),
  language: z
    .enum(STATUS_PAGE_LANGUAGES, { error: `expected one of: ${STATUS_PAGE_LANGUAGES.join(', ')}` })
    .default('en')
    .describe('The language of the page’s own texts.'),
  default: z.boolean().default(false).describe('Also served at `/`. At most one page is the default.'),
  sections: z
    .array(section)
    .optional()
    .describe('What the page shows, in order. Default: every public monitor, by group.'),
});

export const statusPagesSection = z
  .array(page)
  .default([])
  .superRefine((pages, ctx) => {
    const slugs = new Map<string, number>();
    pages.forEach((entry, index) => {
      const first = slugs.get(entry.slug);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: [index, 'slug'], message: `slug "${entry.slug}" is already used by status_pages[${first}]` });
      } else slugs.set(entry.slug, index);
    });
    const defaults = pages.flatMap((entry, index) => (entry.default ? [index] : []));
    for (const index of defaults.slice(1)) {
      ctx.addIssue({ code: 'custom', path: [index, 'default'], message: `status_pages[${defaults[0]}] is already the default page` });
    }
  })
  .describe('Public status pages. Without any, `/` shows every public monitor by group.');

export type StatusPageConfig = z.output<typeof page>;
export type StatusPageSection = z.output<typeof section>;

export const statusIncidentsSection = z
  .strictObject({
    auto: z
      .enum(['off', 'draft', 'publish'], { error: 'expected off, draft or publish' })
      .default('off')
      .describe(
        'When a public monitor goes down or degraded: `draft` writes a status page incident for someone to edit and publish, `publish` shows it at once, `off` (default) neither. Vigil resolves its own incident when the monitor recovers, unless someone has updated it.',
      ),
  })
  .prefault({})
  .describe('Status page incidents (written through the API or `vigil incident`).');
