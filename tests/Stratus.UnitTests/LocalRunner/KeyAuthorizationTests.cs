using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Stratus.Core.Errors;
using Stratus.LocalRunner.Hosting;

namespace Stratus.Tests.Unit;

public sealed class KeyAuthorizationTests
{
    private readonly KeyAuthorization _keys = new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["STRATUS_FUNCTION_KEY"] = "fk",
        ["STRATUS_ADMIN_KEY"] = "ak",
    }).Build());

    [Theory]
    [InlineData(AuthorizationLevel.Anonymous, null, true)]
    [InlineData(AuthorizationLevel.Function, null, false)]
    [InlineData(AuthorizationLevel.Function, "fk", true)]
    [InlineData(AuthorizationLevel.Function, "ak", true)]
    [InlineData(AuthorizationLevel.Function, "nope", false)]
    [InlineData(AuthorizationLevel.Admin, "fk", false)]
    [InlineData(AuthorizationLevel.Admin, "ak", true)]
    public void A_route_level_accepts_exactly_the_keys_the_functions_host_accepts_and_refuses_others_as_unauthenticated(AuthorizationLevel level, string? key, bool allowed)
    {
        var context = new DefaultHttpContext();
        if (key is not null)
        {
            context.Request.Headers["x-functions-key"] = key;
        }

        var error = Record.Exception(() => _keys.Demand(context.Request, level));
        Assert.Equal(allowed, error is null);
        if (!allowed)
        {
            Assert.Equal(ErrorKind.Unauthenticated, Assert.IsType<DomainException>(error).Kind);
        }
    }

    [Fact]
    public void A_function_route_accepts_the_function_key_given_as_the_code_query_value()
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString("?code=fk");
        Assert.Null(Record.Exception(() => _keys.Demand(context.Request, AuthorizationLevel.Function)));
    }

    [Fact]
    public void Refuses_to_start_without_keys() =>
        Assert.Throws<InvalidOperationException>(() => new KeyAuthorization(new ConfigurationBuilder().Build()));
}
