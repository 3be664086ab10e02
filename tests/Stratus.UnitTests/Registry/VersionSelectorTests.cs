using Stratus.Core.Errors;
using Stratus.Core.Models;
using Stratus.Registry;

namespace Stratus.Tests.Unit;

public sealed class VersionSelectorTests
{
    private static readonly ModelCard Card = new()
    {
        Name = "m",
        LatestVersion = 3,
        Aliases = new Dictionary<string, int> { [Aliases.Champion] = 2, ["canary"] = 3 },
    };

    private readonly AliasVersionSelector _selector = new();

    private int Select(ModelCard card, ServingTarget target) => _selector.SelectAsync(card, target, CancellationToken.None).AsTask().Result.Version;

    [Fact]
    public void Without_a_version_or_alias_the_champion_serves() => Assert.Equal(2, Select(Card, ServingTarget.Default));

    [Fact]
    public void An_explicit_version_or_alias_is_served_as_named() =>
        Assert.Equal((1, 3), (Select(Card, ServingTarget.Parse("1", null)), Select(Card, ServingTarget.Parse(null, "canary"))));

    [Fact]
    public void Without_a_champion_the_default_is_not_found_naming_the_fix_even_when_versions_exist()
    {
        var error = Assert.Throws<DomainException>(() => Select(Card with { Aliases = new Dictionary<string, int>() }, ServingTarget.Default));
        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Contains("PUT /api/models/m/aliases/champion", error.Detail);
    }

    [Theory]
    [InlineData("0", null)]
    [InlineData("-1", null)]
    [InlineData("one", null)]
    [InlineData("1", "champion")]
    [InlineData(null, "Bad Alias")]
    public void Malformed_or_ambiguous_targets_are_invalid(string? version, string? alias) =>
        Assert.Equal(ErrorKind.Invalid, Assert.Throws<DomainException>(() => ServingTarget.Parse(version, alias)).Kind);
}
