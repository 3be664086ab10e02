using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Moq;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.GpuTier;
using Stratus.GpuTier.Hosting;
using Stratus.GpuTier.Endpoints;
using Stratus.GpuTier.Auth;

namespace Stratus.Tests.Integration;

/// <summary>
/// The tier's Entra ID protection on Kestrel (127.0.0.1): probes anonymous, model routes only for an allowed
/// client's token. Tokens are signed with a test key in place of Entra's (no network here).
/// </summary>
public sealed class GpuTierAuthTests : IAsyncLifetime
{
    private const string Tenant = "00000000-0000-0000-0000-0000000000aa";
    private const string AppId = "99999999-8888-7777-6666-555555555555";
    private const string Audience = $"api://{AppId}";
    private const string FunctionClientId = "11111111-2222-3333-4444-555555555555";
    private readonly SymmetricSecurityKey _key = new(System.Text.Encoding.UTF8.GetBytes("a test signing key that is long enough for HS256!!"));
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var registry = new Mock<IModelRegistry>();
        registry.Setup(r => r.ListCardsAsync(It.IsAny<CancellationToken>())).Returns(Empty);
        var cpuCard = new Stratus.Core.Models.ModelCard { Name = "cpu-model", Aliases = new Dictionary<string, int> { ["champion"] = 1 } };
        registry.Setup(r => r.GetCardAsync("cpu-model", It.IsAny<CancellationToken>())).ReturnsAsync(new Versioned<Stratus.Core.Models.ModelCard>(cpuCard, "e"));
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(registry.Object).AddSingleton(new Mock<IArtifactStore>().Object);
        builder.Services.AddOptions<StratusOptions>().Configure(o =>
            o.Tier.Auth = new TierAuthOptions { Audience = Audience, TenantId = Tenant, AllowedClientIds = [FunctionClientId] });
        builder.Services.AddStratusGpuTier();
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, jwt =>
        {
            // No metadata download: the test key stands in for the tenant's.
            jwt.ConfigurationManager = new Microsoft.IdentityModel.Protocols.StaticConfigurationManager<OpenIdConnectConfiguration>(new OpenIdConnectConfiguration());
            jwt.TokenValidationParameters.IssuerSigningKey = _key;
        });
        _app = builder.Build();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapGpuTier();
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async IAsyncEnumerable<Stratus.Core.Models.ModelCard> Empty()
    {
        await Task.Yield();
        yield break;
    }

    /// <summary>A v1 token (as managed identities get by default: <c>appid</c>) or a v2 token (<c>azp</c>, audience = app id).</summary>
    private string Token(string client, string audience = Audience, string issuer = $"https://sts.windows.net/{Tenant}/", bool v2 = false) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim(v2 ? "azp" : "appid", client), new Claim("ver", v2 ? "2.0" : "1.0")]),
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });

    private async Task<HttpStatusCode> GetAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Probes_are_anonymous_and_model_routes_need_an_allowed_clients_token()
    {
        Assert.Equal(HttpStatusCode.OK, await GetAsync("/v2/health/live", null));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("/v2/models/any", null));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("/v2/models/any", Token(FunctionClientId, audience: "api://something-else")));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("/v2/models/any", Token(FunctionClientId, issuer: "https://sts.windows.net/another-tenant/")));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/v2/models/any", Token("someone-else")));

        // The allowed client gets through authentication and authorization to the route itself (no such model: 404),
        // with a v1 token for the application ID URI or the app id, or a v2 token (audience = app id).
        Assert.Equal(HttpStatusCode.NotFound, await GetAsync("/v2/models/any", Token(FunctionClientId)));
        Assert.Equal(HttpStatusCode.NotFound, await GetAsync("/v2/models/any", Token(FunctionClientId, audience: AppId)));
        Assert.Equal(HttpStatusCode.NotFound, await GetAsync("/v2/models/any", Token(FunctionClientId, audience: AppId, issuer: $"https://login.microsoftonline.com/{Tenant}/v2.0", v2: true)));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/v2/models/any", Token("someone-else", audience: AppId, issuer: $"https://login.microsoftonline.com/{Tenant}/v2.0", v2: true)));
    }

    [Fact]
    public void An_audience_without_a_tenant_or_allowed_clients_stops_the_tier_at_start()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(new Mock<IModelRegistry>().Object).AddSingleton(new Mock<IArtifactStore>().Object);
        services.AddOptions<StratusOptions>().Configure(o => o.Tier.Auth = new TierAuthOptions { Audience = Audience });
        services.AddStratusGpuTier();
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<StratusOptions>>().Value);
        Assert.Contains("AllowedClientIds", error.Message);
    }

    [Fact]
    public void Without_an_audience_the_tier_refuses_to_start_unless_anonymous_calls_are_allowed_on_purpose()
    {
        StratusOptions Start(TierAuthOptions auth)
        {
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddSingleton(new Mock<IModelRegistry>().Object).AddSingleton(new Mock<IArtifactStore>().Object);
            services.AddOptions<StratusOptions>().Configure(o => o.Tier.Auth = auth);
            services.AddStratusGpuTier();
            using var provider = services.BuildServiceProvider();
            return provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<StratusOptions>>().Value;
        }

        var closed = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => Start(new TierAuthOptions()));
        Assert.Contains(OptionPaths.TierAuthAllowAnonymous.Env, closed.Message);
        Assert.True(Start(new TierAuthOptions { AllowAnonymous = true }).Tier.Auth.AllowAnonymous);
    }

    [Fact]
    public async Task An_allowed_caller_cannot_reach_a_model_whose_card_is_not_tier_gpu()
    {
        using var metadata = new HttpRequestMessage(HttpMethod.Get, "/v2/models/cpu-model");
        metadata.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token(FunctionClientId));
        using var infer = new HttpRequestMessage(HttpMethod.Post, "/v2/models/cpu-model/versions/1/infer")
        {
            Content = JsonContent.Create(new { inputs = new[] { new { name = "Features", datatype = "FP32", shape = new[] { 1, 4 }, data = new[] { 1f, 2, 3, 4 } } } }),
        };
        infer.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token(FunctionClientId));

        foreach (var request in new[] { metadata, infer })
        {
            using var response = await _http.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("not served by the GPU tier", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        }
    }

    [Fact]
    public async Task The_tiers_server_metadata_is_anonymous_and_lists_the_binary_tensor_extension()
    {
        var server = await _http.GetFromJsonAsync<JsonElement>("/v2");

        Assert.Equal("stratus-gpu-tier", server.GetProperty("name").GetString());
        Assert.Equal(["binary_tensor_data"], server.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
    }
}
