import { Body, Controller, Get, Header, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { ConsoleConfig } from './config';
import type { ConsoleReader } from './console-reader';
import { eventId, eventQuery, limit, redriveRequest, topicName } from './input';
import { CONSOLE_CONFIG, READER } from './tokens';
import { agentPage, agentsPage } from './views/agents';
import { eventsPage } from './views/events';
import { tracePage } from './views/trace';

const HTML = 'text/html; charset=utf-8';

/** Server-rendered pages: plain HTML and forms, no script. */
@Controller()
export class PagesController {
  constructor(
    @Inject(READER) private readonly reader: ConsoleReader,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  @Get()
  home(@Res() reply: FastifyReply) {
    void reply.redirect('/events', 302);
  }

  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('events')
  @Header('content-type', HTML)
  async events(@Query() query: Record<string, unknown>) {
    const topic = topicName(query.topic);
    const n = limit(query.limit);
    const [result, known] = await Promise.all([this.reader.recent(topic, eventQuery(query), n), this.reader.topics()]);
    return eventsPage({ result, known, topic, limit: n, recentOffsets: this.config.recentOffsets });
  }

  /** The header's trace box: /trace?id=... */
  @Get('trace')
  traceForm(@Query('id') id: unknown, @Res() reply: FastifyReply) {
    void reply.redirect(`/trace/${encodeURIComponent(eventId(typeof id === 'string' ? id.trim() : id))}`, 303);
  }

  @Get('trace/:id')
  @Header('content-type', HTML)
  async trace(@Param('id') id: string) {
    return tracePage(await this.reader.trace(eventId(id)));
  }

  @Get('agents')
  @Header('content-type', HTML)
  async agents() {
    return agentsPage(await this.reader.agents());
  }

  @Get('agents/:agent')
  @Header('content-type', HTML)
  async agent(@Param('agent') agent: string, @Query('redriven') redriven: unknown) {
    const notice = typeof redriven === 'string' && redriven !== '' ? { redriven: redriven.split(',').slice(0, 50).map((id) => id.slice(0, 256)) } : {};
    return agentPage(await this.reader.agent(agent), notice);
  }

  /** The redrive button: post, then back to the agent's page (303, so a reload does not post again). */
  @Post('agents/:agent/redrive')
  async redrive(@Param('agent') agent: string, @Body() body: unknown, @Res() reply: FastifyReply) {
    const report = await this.reader.redrive(agent, redriveRequest(body));
    const ids = report.redriven.map((r) => r.id).join(',');
    void reply.redirect(`/agents/${encodeURIComponent(agent)}?redriven=${encodeURIComponent(ids)}`, 303);
  }
}
