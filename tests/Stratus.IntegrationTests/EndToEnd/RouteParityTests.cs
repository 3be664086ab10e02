using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Stratus.LocalRunner.Hosting;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.EndToEnd;

/// <summary>
/// The runner serves exactly the HTTP functions the Functions host would: same names, routes, verbs and
/// authorization levels as the build's functions.metadata, and nothing else.
/// </summary>
[Collection(RunnerCollection.Name)]
public sealed class RouteParityTests(RunnerFixture fixture)
{
    [Fact]
    public void Runner_routes_match_functions_metadata()
    {
        var metadataPath = Path.Combine(AppContext.BaseDirectory, "functions.metadata");
        Assert.True(File.Exists(metadataPath), "functions.metadata is produced by the Functions SDK build");
        var expected = JsonDocument.Parse(File.ReadAllText(metadataPath)).RootElement.EnumerateArray()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray()
                .Where(b => b.GetProperty("type").GetString() == "httpTrigger")
                .Select(b => Describe(
                    f.GetProperty("name").GetString()!,
                    b.GetProperty("route").GetString()!,
                    b.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!),
                    b.GetProperty("authLevel").GetString()!)))
            .Order()
            .ToArray();

        var endpoints = fixture.Runner.EndpointSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>().ToArray();

        // Besides the functions, the runner serves only the host's Durable HTTP API that check-status links use.
        var hostRoutes = endpoints.Where(e => e.Metadata.GetMetadata<Stratus.LocalRunner.Durable.HostRouteMetadata>() is not null).ToArray();
        Assert.All(hostRoutes, e => Assert.StartsWith("/runtime/webhooks/durabletask/", e.RoutePattern.RawText));

        var actual = endpoints
            .Except(hostRoutes)
            .Select(e => Describe(
                e.Metadata.GetMetadata<FunctionRouteMetadata>()?.FunctionName ?? "(not a function)",
                e.RoutePattern.RawText!.TrimStart('/'),
                e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"],
                e.Metadata.GetMetadata<FunctionRouteMetadata>()?.AuthLevel.ToString() ?? "?"))
            .Order()
            .ToArray();

        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    private static string Describe(string name, string route, IEnumerable<string> methods, string auth) =>
        $"{name} {string.Join(',', methods.Select(m => m.ToUpperInvariant()).Order())} /{route} {auth}";
}
