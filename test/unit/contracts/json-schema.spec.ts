import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsBoolean,
  IsEmail,
  IsEnum,
  IsIn,
  IsInt,
  IsIP,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
  IsMACAddress,
} from 'class-validator';
import { contractFor, contractSchema, exampleData, exampleOf, SchemaMappingError, topicSpecs, validateAs } from '@app/contracts';

enum Colour {
  Red = 'red',
  Blue = 'blue',
}

class Inner {
  @IsString() @Length(2, 5) code!: string;
}

class Everything {
  @IsString() @MaxLength(10) name!: string;
  @IsEmail() email!: string;
  @IsUrl() site!: string;
  @IsUUID() uuid!: string;
  @IsISO8601() at!: string;
  @IsInt() @Min(3) @Max(9) count!: number;
  @IsNumber() @IsPositive() amount!: number;
  @IsBoolean() flag!: boolean;
  @IsIn(['a', 'b']) letter!: string;
  @IsEnum(Colour) colour!: Colour;
  @Matches(/^[A-Z]{2}-\d$/) ref!: string;
  @IsIP('4') ip!: string;
  @IsOptional() @IsString({ each: true }) @ArrayMinSize(2) @ArrayMaxSize(3) @ArrayUnique() tags?: string[];
  @ValidateNested({ each: true }) @Type(() => Inner) inners!: Inner[];
}

class Unmapped {
  @IsMACAddress() mac!: string;
}

describe('contract JSON Schemas from class-validator decorators', () => {
  it('maps each decorator to its JSON Schema keywords', () => {
    expect(contractSchema(Everything)).toEqual({
      type: 'object',
      title: 'Everything',
      properties: {
        name: { type: 'string', maxLength: 10 },
        email: { type: 'string', format: 'email' },
        site: { type: 'string', format: 'uri' },
        uuid: { type: 'string', format: 'uuid' },
        at: { type: 'string', format: 'date-time' },
        count: { type: 'integer', minimum: 3, maximum: 9 },
        amount: { type: 'number', exclusiveMinimum: 0 },
        flag: { type: 'boolean' },
        letter: { type: 'string', enum: ['a', 'b'] },
        colour: { enum: ['red', 'blue'] },
        ref: { type: 'string', pattern: '^[A-Z]{2}-\\d$' },
        ip: { type: 'string', format: 'ipv4' },
        tags: { type: 'array', minItems: 2, maxItems: 3, uniqueItems: true, items: { type: 'string' } },
        inners: { type: 'array', items: { type: 'object', title: 'Inner', properties: { code: { type: 'string', minLength: 2, maxLength: 5 } }, required: ['code'] } },
      },
      required: ['name', 'email', 'site', 'uuid', 'at', 'count', 'amount', 'flag', 'letter', 'colour', 'ref', 'ip', 'inners'],
    });
  });

  it('names the class, the property and where to add a mapping for a decorator it does not know', () => {
    expect(() => contractSchema(Unmapped)).toThrow(SchemaMappingError);
    expect(() => contractSchema(Unmapped)).toThrow('Unmapped.mac: the validator isMacAddress has no JSON Schema mapping; add one to MAPPINGS in libs/contracts/src/json-schema.ts');
  });

  it('says when no example string matches a pattern', () => {
    expect(() => exampleOf(contractSchema(Everything))).toThrow('data.ref: no example string matches /^[A-Z]{2}-\\d$/');
  });

  it.each(topicSpecs().map((t) => [t.name]))('%s: its example data passes the topic contract', (topic) => {
    const contract = contractFor(topic);
    const data = exampleData(topic);
    if (contract) expect(validateAs(contract, data)).toMatchObject({ ok: true });
    else expect(data).toEqual({});
  });
});
