import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DemoSeed } from './demo-seed.js';

/** The embedded default's demo content. */
@Module({ imports: [CqrsModule], providers: [DemoSeed] })
export class DemoModule {}
