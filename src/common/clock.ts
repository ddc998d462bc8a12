import { Injectable } from '@nestjs/common';

/** The time source handed to deciders (tests replace it to move time). */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
