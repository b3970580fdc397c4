import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import type { ConsoleConfig } from './config';
import type { ConsoleReader } from './console-reader';
import { eventId, eventQuery, limit, redriveRequest, topicName } from './input';
import { CONSOLE_CONFIG, READER } from './tokens';

/** The JSON API behind the pages: the same reads, the same catalogue errors. */
@Controller('api')
export class ApiController {
  constructor(
    @Inject(READER) private readonly reader: ConsoleReader,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  @Get('topics')
  async topics() {
    return { topics: await this.reader.topics() };
  }

  @Get('events')
  async events(@Query() query: Record<string, unknown>) {
    const result = await this.reader.recent(topicName(query.topic), eventQuery(query), limit(query.limit));
    return { ...result, recentOffsetsPerPartition: this.config.recentOffsets };
  }

  @Get('events/:id/trace')
  trace(@Param('id') id: string) {
    return this.reader.trace(eventId(id));
  }

  @Get('agents')
  async agents() {
    return { agents: await this.reader.agents() };
  }

  @Get('agents/:agent')
  agent(@Param('agent') agent: string) {
    return this.reader.agent(agent);
  }

  @Post('agents/:agent/redrive')
  @HttpCode(200)
  redrive(@Param('agent') agent: string, @Body() body: unknown) {
    return this.reader.redrive(agent, redriveRequest(body));
  }
}
