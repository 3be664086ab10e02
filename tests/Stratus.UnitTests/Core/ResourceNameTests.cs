using Stratus.Core.Models;
using Stratus.Core.Errors;

namespace Stratus.Tests.Unit;

public sealed class ResourceNameTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("iris")]
    [InlineData("breast-cancer")]
    [InlineData("m0-1-2")]
    [InlineData("abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123")]
    public void Accepts_dns_label_names(string name) => Assert.Equal(name, ResourceName.Require(name, "model"));

    [Theory]
    [InlineData("")]
    [InlineData("Iris")]
    [InlineData("-iris")]
    [InlineData("iris-")]
    [InlineData("a_b")]
    [InlineData("../etc")]
    [InlineData("a/b")]
    [InlineData("abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234")]
    [InlineData(null)]
    public void Rejects_everything_else_with_400(string? name)
    {
        var problem = Assert.Throws<DomainException>(() => ResourceName.Require(name, "alias"));
        Assert.Equal(ErrorKind.Invalid, problem.Kind);
        Assert.Contains("alias", problem.Detail);
    }
}
