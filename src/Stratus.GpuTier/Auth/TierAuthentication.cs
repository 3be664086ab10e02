using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;

namespace Stratus.GpuTier.Auth;

/// <summary>
/// Entra ID bearer tokens on the tier's model routes when <see cref="TierAuthOptions.Audience"/> is set: issued by
/// the tenant for that audience, to an allowed client (the function app's managed identity). Without an audience the
/// tier does not start unless <see cref="TierAuthOptions.AllowAnonymous"/> opens it on purpose.
/// </summary>
public static class TierAuthentication
{
    public const string CallerPolicy = "gpu-tier-caller";

    public static IServiceCollection AddGpuTierAuthentication(this IServiceCollection services)
    {
        // Closed unless opened on purpose, and a half-configured door must not open: an audience needs the tenant and at
        // least one allowed client; no audience needs AllowAnonymous set explicitly.
        services.AddOptions<StratusOptions>()
            .Validate(
                o => string.IsNullOrEmpty(o.Tier.Auth.Audience) || (!string.IsNullOrEmpty(o.Tier.Auth.TenantId) && o.Tier.Auth.AllowedClientIds.Count > 0),
                $"{OptionPaths.TierAuthAudience} needs {OptionPaths.TierAuthTenantId} and at least one {OptionPaths.TierAuthAllowedClientIds} entry.")
            .Validate(
                o => !string.IsNullOrEmpty(o.Tier.Auth.Audience) || o.Tier.Auth.AllowAnonymous,
                $"The GPU tier accepts no anonymous calls by default: set {OptionPaths.TierAuthAudience} (with {OptionPaths.TierAuthTenantId} and {OptionPaths.TierAuthAllowedClientIds}), or {OptionPaths.TierAuthAllowAnonymous}=true where only the function app can reach the tier.")
            .ValidateOnStart();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<IOptions<StratusOptions>>((jwt, stratus) =>
        {
            var auth = stratus.Value.Tier.Auth;
            if (string.IsNullOrEmpty(auth.Audience))
            {
                return;
            }

            // The v1 authority: managed identity tokens are v1 unless the app registration asks for v2, and v1
            // tokens are validated against the v1 metadata (Entra signs both versions with the tenant's keys).
            jwt.Authority = $"https://login.microsoftonline.com/{auth.TenantId}/";
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters.ValidAudiences = Audiences(auth.Audience);
            jwt.TokenValidationParameters.ValidIssuers = [$"https://sts.windows.net/{auth.TenantId}/", $"https://login.microsoftonline.com/{auth.TenantId}/v2.0"];
        });
        services.AddSingleton<IAuthorizationHandler, AllowedCallerHandler>();
        services.AddAuthorizationBuilder().AddPolicy(CallerPolicy, policy => policy.AddRequirements(new AllowedCallerRequirement()));
        return services;
    }

    /// <summary>
    /// The forms one audience takes in tokens: v1 tokens carry the resource as requested (<c>api://{appId}</c> or the
    /// app id), v2 tokens always the app id.
    /// </summary>
    public static string[] Audiences(string audience)
    {
        var trimmed = audience.TrimEnd('/');
        var forms = new List<string> { audience, trimmed };
        if (trimmed.StartsWith("api://", StringComparison.OrdinalIgnoreCase) && Guid.TryParse(trimmed["api://".Length..], out var appId))
        {
            forms.Add(appId.ToString());
        }
        else if (Guid.TryParse(trimmed, out var bare))
        {
            forms.Add($"api://{bare}");
        }

        return forms.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    private sealed class AllowedCallerRequirement : IAuthorizationRequirement;

    /// <summary>With an audience configured: an authenticated caller whose client id (v1 <c>appid</c>, v2 <c>azp</c>) is allowed. Fails closed.</summary>
    private sealed class AllowedCallerHandler(IOptionsMonitor<StratusOptions> options) : AuthorizationHandler<AllowedCallerRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AllowedCallerRequirement requirement)
        {
            var auth = options.CurrentValue.Tier.Auth;
            if (string.IsNullOrEmpty(auth.Audience))
            {
                if (auth.AllowAnonymous)
                {
                    context.Succeed(requirement); // opened on purpose (local runs, internal networks)
                }

                return Task.CompletedTask;
            }

            var client = context.User.FindFirst("azp")?.Value ?? context.User.FindFirst("appid")?.Value;
            if (context.User.Identity?.IsAuthenticated == true && client is not null && auth.AllowedClientIds.Contains(client, StringComparer.OrdinalIgnoreCase))
            {
                context.Succeed(requirement);
            }

            return Task.CompletedTask;
        }
    }
}
