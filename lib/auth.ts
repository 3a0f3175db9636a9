import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import { AccountRecovery, ClientAttributes, Mfa, UserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { COGNITO_GROUPS_CLAIM, type AuthConfig } from './config.ts';
import { acknowledge } from './nag.ts';

export interface AuthProps {
  config: AuthConfig;
  namePrefix: string;
  removalPolicy: RemovalPolicy;
}

/** What a function that verifies JWTs is told about the issuer. */
export interface VerifierSettings {
  issuer: string;
  audience: string;
  jwksUri: string;
  adminGroup: string;
  groupsClaim: string;
}

/**
 * Who the callers are. By default a Cognito user pool with an app client and an admin group; with
 * an issuer given as context, that existing OIDC provider instead (and no pool).
 */
export class Auth extends Construct {
  readonly userPool?: UserPool;
  readonly client?: UserPoolClient;
  readonly verifier: VerifierSettings;

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);
    const { config } = props;
    if (config.kind === 'oidc') {
      this.verifier = {
        issuer: config.issuer,
        audience: config.audience,
        jwksUri: config.jwksUri,
        adminGroup: config.adminGroup,
        groupsClaim: config.groupsClaim,
      };
      return;
    }

    const pool = new UserPool(this, 'UserPool', {
      userPoolName: `${props.namePrefix}-users`,
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        // The handlers show `name` as the author's display name and `picture` as the profile photo.
        fullname: { required: false, mutable: true },
        profilePicture: { required: false, mutable: true },
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      removalPolicy: props.removalPolicy,
    });
    // A public mobile client: no secret, SRP sign-in, and ID tokens (which carry `aud`) for the API.
    // No OAuth at all (CDK's defaults would add the implicit flow, an https://example.com callback and
    // every scope), and users may rewrite only their name: `picture` is shown to every feed viewer,
    // whose devices fetch it, so a self-set URL would be a tracking pixel in everyone's feed.
    const client = pool.addClient('AppClient', {
      userPoolClientName: `${props.namePrefix}-app`,
      generateSecret: false,
      authFlows: { userSrp: true },
      disableOAuth: true,
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    pool.addGroup('AdminGroup', {
      groupName: config.adminGroup,
      description: 'Vent Room moderators: may edit and delete any post or comment',
    });

    acknowledge(
      pool,
      'AwsSolutions-COG2',
      'MFA is offered (TOTP, optional) but not required: the app is an anonymous-feeling community where forcing a second factor at sign-up would turn most users away; admin accounts are expected to enrol.',
    );
    const plusPlanReason =
      'Threat protection (advanced security) needs the Cognito Plus feature plan, billed per monthly active user; turning it on is a cost decision for the operator, not a default of this stack.';
    acknowledge(pool, 'AwsSolutions-COG3', plusPlanReason);
    acknowledge(pool, 'AwsSolutions-COG8', plusPlanReason);

    this.userPool = pool;
    this.client = client;
    // Cognito ID tokens: iss is https://cognito-idp.<region>.<partition suffix>/<pool id>, aud the app client id.
    const stack = Stack.of(this);
    const issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${pool.userPoolId}`;
    this.verifier = {
      issuer,
      audience: client.userPoolClientId,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      adminGroup: config.adminGroup,
      groupsClaim: COGNITO_GROUPS_CLAIM,
    };
  }

  /** The environment of a function that verifies callers' JWTs. */
  verifierEnvironment(): Record<string, string> {
    return {
      JWT_ISSUER: this.verifier.issuer,
      JWT_AUDIENCE: this.verifier.audience,
      JWKS_URI: this.verifier.jwksUri,
      ADMIN_GROUP: this.verifier.adminGroup,
      GROUPS_CLAIM: this.verifier.groupsClaim,
    };
  }
}
