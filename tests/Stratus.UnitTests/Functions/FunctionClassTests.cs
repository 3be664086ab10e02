using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;
using Stratus.Core.Abstractions;
using Stratus.Core.Configuration;
using Stratus.Core.Models;
using Stratus.Core.Errors;
using Stratus.Functions.Triggers;
using Stratus.Serving.Onnx;
using Stratus.Registry;

namespace Stratus.Tests.Unit;

/// <summary>The function classes as the Functions worker calls them: parse, call the service, map the result.</summary>
public sealed class FunctionClassTests
{
    private readonly Mock<IModelRegistry> _registry = new(MockBehavior.Strict);

    private ModelManagementService Models()
    {
        var options = Options.Create(new StratusOptions());
        return new ModelManagementService(_registry.Object, Mock.Of<IArtifactStore>(MockBehavior.Strict), Mock.Of<IModelInspector>(MockBehavior.Strict),
            new ModelCatalog(_registry.Object, options, TimeProvider.System), options, TimeProvider.System, NullLogger<ModelManagementService>.Instance);
    }

    private static HttpRequest Json(string body)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body));
        context.Request.ContentType = "application/json";
        context.Response.Body = new MemoryStream();
        return context.Request;
    }

    private static async Task<(int Status, IHeaderDictionary Headers, JsonElement Body)> Execute(IActionResult result, HttpRequest request)
    {
        var context = request.HttpContext;
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new Microsoft.AspNetCore.Mvc.Abstractions.ActionDescriptor()));
        context.Response.Body.Position = 0;
        return (context.Response.StatusCode, context.Response.Headers, context.Response.Body.Length > 0 ? JsonDocument.Parse(context.Response.Body).RootElement : default);
    }

    [Fact]
    public async Task PutModel_creates_with_201_location_and_etag()
    {
        ModelCardUpdate? sent = null;
        _registry.Setup(r => r.UpsertCardAsync(It.IsAny<ModelCardUpdate>(), null, It.IsAny<CancellationToken>()))
            .Callback<ModelCardUpdate, string?, CancellationToken>((u, _, _) => sent = u)
            .ReturnsAsync((ModelCardUpdate u, string? _, CancellationToken _) => new CardUpsertResult(u.ApplyTo(null, DateTimeOffset.UnixEpoch), "\"etag-1\"", Created: true));
        var request = Json("""{"description":"churn","task":"binary-classification","tier":"cpu","featureNames":["a","b"]}""");

        var (status, headers, body) = await Execute(await new ModelFunctions(Models(), _registry.Object).PutModel(request, "churn", CancellationToken.None), request);

        Assert.Equal(201, status);
        Assert.Equal("/api/models/churn", headers.Location.ToString());
        Assert.Equal("\"etag-1\"", headers.ETag.ToString());
        Assert.Equal("binary-classification", body.GetProperty("task").GetString());
        Assert.Equal("churn", sent!.Name);
        Assert.Equal(ModelTask.BinaryClassification, sent.Task);
        Assert.Equal(["a", "b"], sent.FeatureNames!);
    }

    [Fact]
    public async Task PutModel_with_unknown_enum_is_400_and_touches_nothing()
    {
        var request = Json("""{"tier":"tpu"}""");
        var problem = await Assert.ThrowsAsync<DomainException>(() => new ModelFunctions(Models(), _registry.Object).PutModel(request, "m", CancellationToken.None));
        Assert.Equal(ErrorKind.Invalid, problem.Kind);
        Assert.Contains("tier", problem.Detail);
    }

    [Fact]
    public async Task SetAlias_validates_the_body_before_calling_the_registry()
    {
        var problem = await Assert.ThrowsAsync<DomainException>(() => new AliasFunctions(Models()).SetAlias(Json("""{"version":"two"}"""), "m", "champion", CancellationToken.None));
        Assert.Equal(ErrorKind.Invalid, problem.Kind);

        _registry.Setup(r => r.SetAliasAsync("m", "champion", 2, null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new Versioned<ModelCard>(new ModelCard { Name = "m", Aliases = new Dictionary<string, int> { ["champion"] = 2 } }, "\"e2\""));
        var request = Json("""{"version":2}""");
        var (status, headers, body) = await Execute(await new AliasFunctions(Models()).SetAlias(request, "m", "champion", CancellationToken.None), request);
        Assert.Equal(200, status);
        Assert.Equal(2, body.GetProperty("version").GetInt32());
        Assert.Equal("\"e2\"", headers.ETag.ToString());
    }

    [Fact]
    public async Task SetAlias_passes_the_If_Match_header_to_the_registry()
    {
        _registry.Setup(r => r.SetAliasAsync("m", "champion", 2, "\"stale\"", It.IsAny<CancellationToken>()))
            .ThrowsAsync(DomainException.PreconditionFailed("changed"));
        var request = Json("""{"version":2}""");
        request.Headers.IfMatch = "\"stale\"";
        var problem = await Assert.ThrowsAsync<DomainException>(() => new AliasFunctions(Models()).SetAlias(request, "m", "champion", CancellationToken.None));
        Assert.Equal(ErrorKind.PreconditionFailed, problem.Kind);
    }

    [Fact]
    public async Task GetModel_returns_card_versions_and_etag()
    {
        _registry.Setup(r => r.GetCardAsync("m", It.IsAny<CancellationToken>())).ReturnsAsync(new Versioned<ModelCard>(new ModelCard { Name = "m", LatestVersion = 1 }, "\"e9\""));
        _registry.Setup(r => r.ListVersionsAsync("m", It.IsAny<CancellationToken>())).ReturnsAsync([]);
        var request = Json("");
        var (status, headers, body) = await Execute(await new ModelFunctions(Models(), _registry.Object).GetModel(request, "m", CancellationToken.None), request);
        Assert.Equal(200, status);
        Assert.Equal("\"e9\"", headers.ETag.ToString());
        Assert.Equal(1, body.GetProperty("card").GetProperty("latestVersion").GetInt32());
        Assert.Empty(body.GetProperty("versions").EnumerateArray());
    }
}
