import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Documentation only: the shapes of answers, as OpenAPI schemas (see #libs/http for the real types). */

export class FieldErrorSchema {
  @ApiProperty({ example: 'headline' })
  field!: string;

  @ApiProperty({ example: 'headline must not be blank' })
  message!: string;
}

/** RFC 9457 problem details: the body of every error answer (`application/problem+json`). */
export class ProblemDetailsSchema {
  @ApiProperty({ format: 'uri', example: 'https://newsroom.dev/problems/validation-failed' })
  type!: string;

  @ApiProperty({ example: 'Invalid input' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiPropertyOptional({ example: 'The request has invalid fields.' })
  detail?: string;

  @ApiPropertyOptional({ description: 'The request path', example: '/articles' })
  instance?: string;

  @ApiPropertyOptional({ type: [FieldErrorSchema], description: 'For 400: each invalid field' })
  errors?: FieldErrorSchema[];
}

/** What every article write answers. */
export class WriteResultSchema {
  @ApiProperty({ format: 'uuid', description: 'The article' })
  id!: string;

  @ApiProperty({ description: 'The article version after the write; send it back in If-Match', example: 3 })
  version!: number;

  @ApiProperty({ description: 'Global position of the last event written; send it in X-Min-Position to read your write', example: 1042 })
  position!: number;
}
