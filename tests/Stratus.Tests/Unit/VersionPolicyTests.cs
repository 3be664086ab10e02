using Stratus.Core.Models;
using Stratus.Core.Problems;
using Stratus.Serving.Registry;

namespace Stratus.Tests.Unit;

public sealed class VersionPolicyTests
{
    private static readonly ModelCard Card = new()
    {
        Name = "m",
        LatestVersion = 3,
        Aliases = new Dictionary<string, int> { [Aliases.Champion] = 2, ["canary"] = 3 },
    };

    private readonly AliasVersionPolicy _policy = new();

    [Fact]
    public void Defaults_to_champion() => Assert.Equal(2, _policy.SelectVersion(Card, ServingTarget.Default));

    [Fact]
    public void Explicit_version_and_alias_win() =>
        Assert.Equal((1, 3), (_policy.SelectVersion(Card, ServingTarget.Parse("1", null)), _policy.SelectVersion(Card, ServingTarget.Parse(null, "canary"))));

    [Fact]
    public void Missing_alias_is_404_naming_the_fix()
    {
        var problem = Assert.Throws<ProblemException>(() => _policy.SelectVersion(Card with { Aliases = new Dictionary<string, int>() }, ServingTarget.Default));
        Assert.Equal(404, problem.Status);
        Assert.Contains("PUT /api/models/m/aliases/champion", problem.Detail);
    }

    [Theory]
    [InlineData("0", null)]
    [InlineData("-1", null)]
    [InlineData("one", null)]
    [InlineData("1", "champion")]
    [InlineData(null, "Bad Alias")]
    public void Bad_targets_are_400(string? version, string? alias) =>
        Assert.Equal(400, Assert.Throws<ProblemException>(() => ServingTarget.Parse(version, alias)).Status);
}
