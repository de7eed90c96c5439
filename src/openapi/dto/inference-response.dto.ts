import { ApiProperty, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'Model' })
export class ModelObjectDto {
  @ApiProperty({ example: 'gpt-4o', description: 'A group or visible alias name, as clients send it.' }) id!: string;
  @ApiProperty({ enum: ['model'] }) object!: 'model';
  @ApiProperty({ type: 'integer' }) created!: number;
  @ApiProperty({ example: 'switchboard' }) owned_by!: string;
}

@ApiSchema({ name: 'ModelList' })
export class ModelListDto {
  @ApiProperty({ enum: ['list'] }) object!: 'list';
  @ApiProperty({ type: [ModelObjectDto] }) data!: ModelObjectDto[];
}
