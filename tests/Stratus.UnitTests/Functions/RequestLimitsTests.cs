using Microsoft.AspNetCore.Http;
using Stratus.Core.Configuration;
using Stratus.Functions.Http;

namespace Stratus.Tests.Unit;

/// <summary>Each route's body limit comes from its own setting; everything else takes small JSON only.</summary>
public sealed class RequestLimitsTests
{
    private static readonly StratusOptions Options = new()
    {
        Serving = new ServingOptions { MaxRequestBytes = 111 },
        Registry = new RegistryOptions { MaxUploadBytes = 222 },
        Datasets = new DatasetOptions { MaxUploadBytes = 333 },
    };

    [Theory]
    [InlineData("/api/models/iris/predict", 111)]
    [InlineData("/v2/models/iris/infer", 111)]
    [InlineData("/v2/models/iris/versions/3/infer", 111)]
    [InlineData("/api/models/iris/versions", 222)]
    [InlineData("/api/datasets/cancer", 333)]
    [InlineData("/api/models/iris", RequestLimits.MaxJsonBytes)]
    [InlineData("/api/models/iris/versions/3", RequestLimits.MaxJsonBytes)]
    [InlineData("/api/models/iris/train", RequestLimits.MaxJsonBytes)]
    [InlineData("/api/models//predict", RequestLimits.MaxJsonBytes)]
    [InlineData("/", RequestLimits.MaxJsonBytes)]
    public void A_routes_body_limit_is_its_own_setting_and_other_routes_take_one_mebibyte(string path, long limit) =>
        Assert.Equal(limit, RequestLimits.For(new PathString(path), Options));
}
