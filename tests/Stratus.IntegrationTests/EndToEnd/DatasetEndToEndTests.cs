using System.Net.Http.Headers;
using System.Security.Cryptography;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.EndToEnd;

[Collection(RunnerCollection.Name)]
public sealed class DatasetEndToEndTests(RunnerFixture fixture)
{
    internal static StringContent Csv(string text)
    {
        var content = new StringContent(text);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return content;
    }

    [Fact]
    public async Task Versions_are_content_addressed_and_listed()
    {
        using var admin = fixture.Client();
        var first = await admin.PutAsync("/api/datasets/ds-versions", Csv("x,y,label\n1,2,0\n3,4,1\n"));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var v1 = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, v1.GetProperty("rows").GetInt32());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("x,y,label\n1,2,0\n3,4,1\n"u8)), v1.GetProperty("sha256").GetString());
        Assert.Equal(v1.GetProperty("sha256").GetString()![..16], v1.GetProperty("version").GetString());
        Assert.Equal(["x", "y", "label"], v1.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));

        var again = await admin.PutAsync("/api/datasets/ds-versions", Csv("x,y,label\n1,2,0\n3,4,1\n"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(v1.GetProperty("version").GetString(), (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetString());

        var second = await admin.PutAsync("/api/datasets/ds-versions", Csv("x,y,label\n1,2,0\n3,4,1\n5,6,0\n"));
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);

        var dataset = await admin.GetFromJsonAsync<JsonElement>("/api/datasets/ds-versions");
        Assert.Equal(2, dataset.GetProperty("versions").GetArrayLength());
        Assert.Equal(3, dataset.GetProperty("latest").GetProperty("rows").GetInt32());
        var list = await admin.GetFromJsonAsync<JsonElement>("/api/datasets");
        Assert.Contains(list.GetProperty("datasets").EnumerateArray(), d => d.GetProperty("name").GetString() == "ds-versions");
    }

    [Fact]
    public async Task Bodies_beyond_the_servers_default_30_MB_cap_reach_stratus_limits()
    {
        // Kestrel alone would answer 413 above 30,000,000 bytes; Stratus lifts that and applies its own limits.
        var csv = new System.Text.StringBuilder("a,b\n", 32_100_000);
        while (csv.Length < 32_000_000)
        {
            csv.Append("1,2\n");
        }

        using var admin = fixture.Client();
        var response = await admin.PutAsync("/api/datasets/ds-large", Csv(csv.ToString()));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(7_999_999, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rows").GetInt32());
    }

    [Fact]
    public async Task Bad_datasets_are_rejected_and_nothing_is_stored()
    {
        using var admin = fixture.Client();
        await BadInputTests.AssertProblem(await admin.PutAsync("/api/datasets/ds-bad", Csv("a,b\n1,2\n3\n")), HttpStatusCode.BadRequest, "line 3");
        await BadInputTests.AssertProblem(await admin.PutAsync("/api/datasets/ds-bad", Csv("")), HttpStatusCode.BadRequest, "empty");
        await BadInputTests.AssertProblem(await admin.PutAsync("/api/datasets/Bad_Name", Csv("a\n1\n")), HttpStatusCode.BadRequest, "dataset name");
        await BadInputTests.AssertProblem(await admin.PutAsync("/api/datasets/ds-bad", new StringContent("a\n1\n", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.UnsupportedMediaType, "text/csv");
        await BadInputTests.AssertProblem(await fixture.Client(RunnerFixture.FunctionKey).PutAsync("/api/datasets/ds-bad", Csv("a\n1\n")), HttpStatusCode.Unauthorized, "admin");
        await BadInputTests.AssertProblem(await admin.GetAsync("/api/datasets/ds-bad"), HttpStatusCode.NotFound, "ds-bad");
    }
}
