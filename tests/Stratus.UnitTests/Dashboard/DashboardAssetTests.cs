using Stratus.Dashboard;

namespace Stratus.Tests.Unit;

public sealed class DashboardAssetTests
{
    private static readonly DashboardAsset Asset = new("app.js", "text/javascript", "\"a\"", new byte[] { 1 }, "\"a-gz\"", new byte[] { 2, 3 });

    [Theory]
    [InlineData("gzip, deflate, br", "gzip")]
    [InlineData("br;q=1.0, gzip;q=0.5", "gzip")]
    [InlineData("*", "gzip")]
    [InlineData("gzip;q=0", null)]
    [InlineData("br", null)]
    [InlineData("", null)]
    public void Gzip_is_chosen_only_when_the_request_accepts_it_with_a_weight_above_zero(string acceptEncoding, string? expected)
    {
        var chosen = Asset.For(acceptEncoding);

        Assert.Equal(expected, chosen.ContentEncoding);
        Assert.Equal(expected is null ? "\"a\"" : "\"a-gz\"", chosen.ETag);
        Assert.Equal(expected is null ? 1 : 2, chosen.Body.Length);
    }

    [Fact]
    public void The_built_assembly_embeds_the_page_its_bundle_and_its_styles_and_the_root_is_the_page()
    {
        var assets = new DashboardAssets();

        Assert.Superset(new HashSet<string> { "index.html", "app.js", "app.css" }, assets.Names.ToHashSet());
        Assert.Equal("index.html", assets.Find("")!.Name);
        Assert.Equal("text/javascript; charset=utf-8", assets.Find("app.js")!.ContentType);
        Assert.Null(assets.Find("../secrets"));
        Assert.NotEqual(assets.Find("app.js")!.ETag, assets.Find("app.js")!.GzipETag);
    }
}
