import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ArticlesModule } from '../articles/index.js';
import { DemoSeed } from './demo-seed.js';

/** The embedded default's demo content. */
@Module({ imports: [CqrsModule, ArticlesModule], providers: [DemoSeed] })
export class DemoModule {}
