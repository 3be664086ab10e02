using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;

namespace Stratus.Serving.Tier;

/// <summary>
/// Entra ID bearer tokens on the tier's model routes when <see cref="TierAuthOptions.Audience"/> is set: issued by
/// the tenant for that audience, to an allowed client (the function app's managed identity). Without an audience
/// the routes are open, for local runs and private networks.
/// </summary>
public static class TierAuthentication
{
    public const string CallerPolicy = "gpu-tier-caller";

    public static IServiceCollection AddGpuTierAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<IOptions<StratusOptions>>((jwt, stratus) =>
        {
            var auth = stratus.Value.Tier.Auth;
            if (string.IsNullOrEmpty(auth.Audience))
            {
                return;
            }

            // v1 and v2 tokens: managed identity tokens are v1 unless the app registration asks for v2.
            jwt.Authority = $"https://login.microsoftonline.com/{auth.TenantId}/v2.0";
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters.ValidAudiences = [auth.Audience, auth.Audience.TrimEnd('/')];
            jwt.TokenValidationParameters.ValidIssuers = [$"https://sts.windows.net/{auth.TenantId}/", $"https://login.microsoftonline.com/{auth.TenantId}/v2.0"];
        });
        services.AddAuthorizationBuilder().AddPolicy(CallerPolicy, policy => policy.RequireAssertion(context =>
        {
            var auth = context.Resource is Microsoft.AspNetCore.Http.HttpContext http
                ? http.RequestServices.GetRequiredService<IOptions<StratusOptions>>().Value.Tier.Auth
                : new TierAuthOptions();
            if (string.IsNullOrEmpty(auth.Audience))
            {
                return true;
            }

            if (context.User.Identity?.IsAuthenticated != true)
            {
                return false;
            }

            // v2 tokens name the calling client in azp, v1 tokens in appid.
            var client = context.User.FindFirst("azp")?.Value ?? context.User.FindFirst("appid")?.Value;
            return auth.AllowedClientIds.Count == 0 || (client is not null && auth.AllowedClientIds.Contains(client, StringComparer.OrdinalIgnoreCase));
        }));
        return services;
    }
}
