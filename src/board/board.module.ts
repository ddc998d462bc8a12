import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BoardController } from './board.controller.js';
import { EditorBoardEntity } from './editor-board.entity.js';
import { GetBoardHandler } from './queries/get-board/get-board.handler.js';

@Module({
  imports: [CqrsModule, TypeOrmModule.forFeature([EditorBoardEntity])],
  controllers: [BoardController],
  providers: [GetBoardHandler],
})
export class BoardModule {}
