Console.WriteLine("BayesianDistillation: being added."); return 0;
