import { Module, type DynamicModule } from '@nestjs/common';
import { ApiController } from './api.controller';
import type { ConsoleConfig } from './config';
import type { ConsoleReader } from './console-reader';
import { PagesController } from './pages.controller';
import { CONSOLE_CONFIG, READER } from './tokens';

export interface ConsoleDeps {
  reader: ConsoleReader;
  config: ConsoleConfig;
}

@Module({})
export class ConsoleModule {
  static register(deps: ConsoleDeps): DynamicModule {
    return {
      module: ConsoleModule,
      controllers: [ApiController, PagesController],
      providers: [
        { provide: READER, useValue: deps.reader },
        { provide: CONSOLE_CONFIG, useValue: deps.config },
      ],
    };
  }
}
