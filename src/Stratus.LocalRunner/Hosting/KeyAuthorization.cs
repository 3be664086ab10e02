using System.Security.Cryptography;
using System.Text;
using Microsoft.Azure.Functions.Worker;
using Stratus.Core.Configuration;
using Stratus.Core.Http;
using Stratus.Core.Errors;

namespace Stratus.LocalRunner.Hosting;

/// <summary>
/// The Functions host's key check, reproduced: Function-level routes take the function key or the admin
/// (master) key, Admin-level routes only the admin key, Anonymous routes none. Keys arrive in
/// <c>x-functions-key</c> or the <c>code</c> query value.
/// </summary>
public sealed class KeyAuthorization
{
    private readonly byte[] _functionKey;
    private readonly byte[] _adminKey;

    public KeyAuthorization(IConfiguration configuration)
    {
        _functionKey = Encoding.UTF8.GetBytes(Require(configuration, SettingNames.FunctionKey));
        _adminKey = Encoding.UTF8.GetBytes(Require(configuration, SettingNames.AdminKey));
    }

    public void Demand(HttpRequest request, AuthorizationLevel level)
    {
        if (level == AuthorizationLevel.Anonymous)
        {
            return;
        }

        var presented = request.Headers[StratusHeaders.FunctionKey].ToString();
        if (presented.Length == 0)
        {
            presented = request.Query[StratusHeaders.FunctionKeyQuery].ToString();
        }

        if (presented.Length == 0)
        {
            throw DomainException.Unauthenticated($"This route needs a key in the '{StratusHeaders.FunctionKey}' header (or '{StratusHeaders.FunctionKeyQuery}' query).");
        }

        Span<byte> buffer = stackalloc byte[256];
        var key = presented.Length <= 64 ? buffer[..Encoding.UTF8.GetBytes(presented, buffer)] : Encoding.UTF8.GetBytes(presented);
        var admin = CryptographicOperations.FixedTimeEquals(key, _adminKey);
        var function = CryptographicOperations.FixedTimeEquals(key, _functionKey);
        if (admin || (function && level == AuthorizationLevel.Function))
        {
            return;
        }

        throw DomainException.Unauthenticated(level == AuthorizationLevel.Admin && function
            ? "This route changes state and needs the admin key."
            : "The key is not valid for this route.");
    }

    private static string Require(IConfiguration configuration, string name) =>
        configuration[name] is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"Set '{name}' in local.settings.json (Values) or the environment.");
}
