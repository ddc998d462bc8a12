import { createSecretKey } from 'node:crypto';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { JwtModule } from '@nestjs/jwt';
import { createValidationPipe, JwtAuthGuard, ProblemDetailsFilter } from '#libs/http';
import { ArticlesModule } from './articles/articles.module.js';
import { BoardModule } from './board/board.module.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { FactChecksModule } from './fact-checks/fact-checks.module.js';
import { FeedModule } from './feed/feed.module.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { DemoModule } from './demo/demo.module.js';
import { ProjectionsModule } from './projections/projections.module.js';
import { ReactionsModule } from './reactions/reactions.module.js';
import { WorkersModule } from './workers/workers.module.js';

export interface AppModuleOptions {
  config: AppConfig;
  /** Run the relay, projections and scheduler in this process too. */
  workers: boolean;
  /** Load the seed story on a fresh embedded database (default: when embedded). */
  demo?: boolean;
}

@Module({})
export class AppModule {
  static forRoot({ config, workers, demo = config.embedded }: AppModuleOptions): DynamicModule {
    const jwtKey = createSecretKey(Buffer.from(config.auth.jwtSecret, 'utf8'));
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        CqrsModule.forRoot(),
        JwtModule.register({
          global: true,
          // A KeyObject, not the string: jsonwebtoken otherwise tries (and fails) to parse a string
          // secret as a public key on every verify, which cost ~350 µs per request.
          secretOrKeyProvider: () => jwtKey,
          signOptions: { algorithm: 'HS256' },
        }),
        ProjectionsModule,
        ArticlesModule,
        BoardModule,
        FactChecksModule,
        FeedModule,
        ReactionsModule,
        HealthModule,
        MetricsModule,
        ...(workers ? [WorkersModule] : []),
        ...(demo ? [DemoModule] : []),
      ],
      providers: [
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
