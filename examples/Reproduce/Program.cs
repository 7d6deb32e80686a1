Console.WriteLine("Reproduce: experiments are being added.");
return 0;
