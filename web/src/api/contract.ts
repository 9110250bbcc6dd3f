// Compile-time contract check between the console's hand-written API types
// (types.ts) and the types generated from the server's OpenAPI document
// (schema.d.ts, `make generate`). Every response the server sends must fit the type
// the console reads it as, and every request the console builds must fit what the
// server accepts: `npm run build` (tsc) fails when either side drifts.
import type { components } from './schema';
import type * as T from './types';

type S = components['schemas'];

/** Fits<To, From> compiles only when a From value can be used as a To. */
type Fits<To, From extends To> = From;

// Responses: server → console. (Promotion definitions and priced carts are typed more
// precisely by hand than the server's free-form engine JSON, so they are not listed.)
export type ResponseChecks = [
  Fits<T.Brand, S['BrandResponse']>,
  Fits<T.SetupStatus, S['SetupStatus']>,
  Fits<T.SetupResult, S['SetupResult']>,
  Fits<T.Region, S['RegionResponse']>,
  Fits<T.Store, S['StoreResponse']>,
  Fits<T.StoreSummary, S['StoreSummaryResponse']>,
  Fits<T.Category, S['CategoryResponse']>,
  Fits<T.Product, S['ProductResponse']>,
  Fits<T.ProductDetail, S['ProductDetailResponse']>,
  Fits<T.Sku, S['SKUResponse']>,
  Fits<T.SkuDetail, S['SKUDetailResponse']>,
  Fits<T.PriceOverride, S['SKUPriceOverrideResponse']>,
  Fits<T.CatalogSummary, S['CatalogSummaryResponse']>,
  Fits<T.User, S['UserResponse']>,
  Fits<T.Me, S['MeResponse']>,
  Fits<T.LoginResponse, S['LoginSession']>,
  Fits<T.ApiKey, S['APIKeyResponse']>,
  Fits<T.CreatedApiKey, S['APIKeyCreatedResponse']>,
  Fits<T.AuditEvent, S['AuditEvent']>,
  Fits<T.DomainEvent, S['DomainEvent']>,
  Fits<T.DomainEventLag, S['DomainEventLag']>,
  Fits<T.Page<T.Store>, S['PageStoreResponse']>,
  Fits<T.Touchpoint, S['TouchpointResponse']>,
  Fits<T.TouchpointKey, S['TouchpointKeyResponse']>,
  Fits<T.CalendarItem, S['PromotionCalendarItem']>,
  Fits<T.BasketSet, S['BasketSetResponse']>,
  Fits<T.Simulation, S['SimulationReport']>,
  Fits<T.Customer, S['CustomerResponse']>,
  Fits<T.CustomerSummary, S['CustomerSummaryResponse']>,
  Fits<T.CustomerEvent, S['CustomerEventResponse']>,
  Fits<T.ConsentRecord, S['ConsentRecordResponse']>,
  Fits<T.CustomerMerge, S['MergeResponse']>,
  Fits<T.UnmergeResponse, S['UnmergeResponse']>,
  Fits<T.ErasedCustomer, S['CustomerEraseResponse']>,
  Fits<T.IdentityReview, S['ReviewResponse']>,
  Fits<T.CustomerAccess, S['CustomerAccessResponse']>,
  Fits<T.CartReturnQuoteResponse, S['CartReturnQuoteResponse']>,
  Fits<T.TouchpointHealth, S['TouchpointHealthResponse']>,
  Fits<T.Page<T.Touchpoint>, S['PageTouchpointResponse']>,
  Fits<T.Maturity, S['MaturityResponse']>,
  Fits<T.EventSchema, S['EventSchemaResponse']>,
];

// The scopes the console offers are exactly the scopes the server accepts.
type ServerScope = NonNullable<S['APIKeyCreateRequest']['scopes']>[number];
export type ScopeChecks = [Fits<ServerScope, T.ApiScope>, Fits<T.ApiScope, ServerScope>];

// The reasons a key is suspended, and who can create one, are exactly the server's.
type ServerSuspendReason = NonNullable<S['APIKeyResponse']['suspended_reason']>;
export type ApiKeyEnumChecks = [
  Fits<ServerSuspendReason, T.SuspendReason>,
  Fits<T.SuspendReason, ServerSuspendReason>,
  Fits<S['APIKeyCreator']['kind'], T.ApiKeyCreator['kind']>,
  Fits<T.ApiKeyCreator['kind'], S['APIKeyCreator']['kind']>,
];

// The touchpoint types, channels and statuses the console offers are exactly the server's.
type ServerTouchpointType = S['TouchpointCreateRequest']['type'];
type ServerTouchpointChannel = S['TouchpointCreateRequest']['channel'];
type ServerTouchpointStatus = NonNullable<S['TouchpointCreateRequest']['status']>;
export type TouchpointEnumChecks = [
  Fits<ServerTouchpointType, T.TouchpointType>,
  Fits<T.TouchpointType, ServerTouchpointType>,
  Fits<ServerTouchpointChannel, T.TouchpointChannel>,
  Fits<T.TouchpointChannel, ServerTouchpointChannel>,
  Fits<ServerTouchpointStatus, T.TouchpointStatus>,
  Fits<T.TouchpointStatus, ServerTouchpointStatus>,
];

// The maturity levels and gap codes the console words are exactly the server's.
type ServerMaturityLevel = S['TouchpointMaturityItem']['level'];
type ServerMaturityGap = S['TouchpointMaturityItem']['gaps'][number];
export type MaturityEnumChecks = [
  Fits<ServerMaturityLevel, T.MaturityLevel>,
  Fits<T.MaturityLevel, ServerMaturityLevel>,
  Fits<ServerMaturityGap, T.MaturityGap>,
  Fits<T.MaturityGap, ServerMaturityGap>,
];

// Requests: console → server.
export type RequestChecks = [
  Fits<S['LoginRequest'], T.LoginRequest>,
  Fits<S['SetupRequest'], T.SetupRequest>,
  Fits<S['UserCreateRequest'], T.CreateUserRequest>,
  Fits<S['UserUpdateRequest'], T.UpdateUserRequest>,
  Fits<S['PasswordChangeRequest'], T.ChangePasswordRequest>,
  Fits<S['APIKeyCreateRequest'], T.CreateApiKeyRequest>,
  Fits<S['TouchpointCreateRequest'], T.CreateTouchpointRequest>,
  Fits<S['TouchpointUpdateRequest'], T.UpdateTouchpointRequest>,
  Fits<S['CartPriceRequest'], T.CartPriceRequest>,
  Fits<S['ConsentRequest'], T.RecordConsentRequest>,
  Fits<S['MergeRequest'], T.MergeRequest>,
  Fits<S['ReviewResolveRequest'], T.ResolveReviewRequest>,
  Fits<S['EventSchemaUpdateRequest'], T.UpdateEventSchemaRequest>,
];
