import { describe, expect, it } from 'vitest';
import { readConfig } from '../../lib/config.ts';

const context = (values: Record<string, unknown>) => (key: string) => values[key];

describe('configuration from context', () => {
  it('defaults to dev, us-east-1, Cognito with an "admin" group, no account', () => {
    expect(readConfig(context({}), {})).toEqual({
      stage: 'dev',
      account: undefined,
      region: 'us-east-1',
      auth: { kind: 'cognito', adminGroup: 'admin' },
      rateLimits: undefined,
      corsOrigins: ['*'],
      counterBudget: undefined,
      alarmEmail: undefined,
      webSocketAccessLogs: false,
      edge: { enabled: true },
      apiDomain: undefined,
      mediaDomain: undefined,
    });
  });

  it('takes account and region from the CLI environment, and an explicit region context over it', () => {
    const env = { CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' };
    expect(readConfig(context({}), env)).toMatchObject({ account: '123456789012', region: 'eu-west-1' });
    expect(readConfig(context({ region: 'ap-southeast-2' }), env)).toMatchObject({ region: 'ap-southeast-2' });
  });

  it('switches to an existing OIDC issuer, deriving the JWKS URI', () => {
    const config = readConfig(context({ jwtIssuer: 'https://id.example.com/realms/vent/', jwtAudience: 'vent-app', adminGroup: 'mods' }), {});
    expect(config.auth).toEqual({
      kind: 'oidc',
      issuer: 'https://id.example.com/realms/vent/',
      audience: 'vent-app',
      jwksUri: 'https://id.example.com/realms/vent/.well-known/jwks.json',
      groupsClaim: 'groups',
      adminGroup: 'mods',
    });
    const explicit = readConfig(
      context({ jwtIssuer: 'https://id.example.com', jwtAudience: 'a', jwksUri: 'https://keys.example.com/jwks', groupsClaim: 'roles' }),
      {},
    );
    expect(explicit.auth).toMatchObject({ jwksUri: 'https://keys.example.com/jwks', groupsClaim: 'roles' });
  });

  it('refuses half an OIDC configuration, OIDC-only settings without an issuer, and http issuers', () => {
    expect(() => readConfig(context({ jwtIssuer: 'https://id.example.com' }), {})).toThrow(/go together/);
    expect(() => readConfig(context({ groupsClaim: 'roles' }), {})).toThrow(/only applies with jwtIssuer/);
    expect(() => readConfig(context({ jwtIssuer: 'http://id.example.com', jwtAudience: 'a' }), {})).toThrow(/https URL/);
  });

  it('checks stage, rate limits, alarm e-mail and flags', () => {
    expect(() => readConfig(context({ stage: 'staging' }), {})).toThrow(/stage.*dev, prod/);
    expect(readConfig(context({ rateLimits: 'standard=100,create=20,reaction=60' }), {}).rateLimits).toBe('standard=100,create=20,reaction=60');
    expect(readConfig(context({ counterBudget: '500' }), {}).counterBudget).toBe(500);
    expect(readConfig(context({ counterBudget: 750 }), {}).counterBudget).toBe(750);
    for (const bad of ['0', '-5', '2.5', 'lots']) expect(() => readConfig(context({ counterBudget: bad }), {})).toThrow(/counterBudget/);
    expect(() => readConfig(context({ rateLimits: 'standard=0' }), {})).toThrow(/bad entry "standard=0"/);
    expect(() => readConfig(context({ rateLimits: 'view=5' }), {})).toThrow(/bad entry "view=5"/);
    expect(() => readConfig(context({ alarmEmail: 'nobody' }), {})).toThrow(/e-mail/);
    expect(readConfig(context({ wsAccessLogs: 'true' }), {}).webSocketAccessLogs).toBe(true);
    expect(readConfig(context({ wsAccessLogs: true }), {}).webSocketAccessLogs).toBe(true);
    expect(() => readConfig(context({ wsAccessLogs: 'yes' }), {})).toThrow(/true or false/);
    expect(readConfig(context({ corsOrigins: 'https://a.example, https://b.example' }), {}).corsOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });
});
