from stagecraft.cli import main

main()
