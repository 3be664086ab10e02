using System.Net.Http.Headers;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;

namespace Stratus.GpuTier.Client;

/// <summary>The credential the function app calls the GPU tier with (its managed identity in Azure).</summary>
public sealed class GpuTierCredential(TokenCredential credential)
{
    public TokenCredential Credential { get; } = credential;

    public static GpuTierCredential From(GpuTierOptions options) => new(options.ManagedIdentityClientId is { Length: > 0 } clientId
        ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
        : new DefaultAzureCredential());
}

/// <summary>
/// Adds an Entra ID bearer token for <see cref="GpuTierOptions.Audience"/> to every call to the tier (each retry
/// attempt included); no audience, no token. Azure.Identity caches the token until shortly before it expires.
/// </summary>
public sealed class GpuTierAuthHandler(GpuTierCredential credential, IOptions<StratusOptions> options) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (options.Value.GpuTier.Audience is { Length: > 0 } audience)
        {
            var scope = audience.TrimEnd('/') + "/.default";
            var token = await credential.Credential.GetTokenAsync(new TokenRequestContext([scope]), cancellationToken);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
