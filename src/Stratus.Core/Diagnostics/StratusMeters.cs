namespace Stratus.Core.Diagnostics;

/// <summary>Names of Stratus' OpenTelemetry meters, which every host exports.</summary>
public static class StratusMeters
{
    public const string Serving = "Stratus.Serving";

    public const string Monitoring = "Stratus.Monitoring";

    public static readonly string[] All = [Serving, Monitoring];
}
