Feature: Every payment platform carries a group from payment to refund or settlement
  Buyers pay with KakaoPay, NaverPay or Toss Payments on the platform's own page, or with
  Open Banking straight from their bank account. Whichever they choose, a group that expires
  refunds them through that platform, and a group whose members all confirm is ready for
  settlement.

  Scenario Outline: A group paid with <platform> that expires is refunded through <platform>
    Given the shop sells "제주 감귤 5kg" at 30,000 won
    And Minji paid for "제주 감귤 5kg" with <platform>
    And Jisoo paid for "제주 감귤 5kg" with <platform>
    And the matcher formed group 5 of Minji and Jisoo
    When group 5 expires
    Then the shop reports group 5 expired and the orders of Minji and Jisoo refunded
    And the orders of Minji and Jisoo are refunded
    And <platform> refunded 30,000 won to Minji once
    And <platform> refunded 30,000 won to Jisoo once

    Examples:
      | platform      |
      | KakaoPay      |
      | NaverPay      |
      | Open Banking  |
      | Toss Payments |

  Scenario Outline: A group paid with <platform> whose members all confirm is ready for settlement
    Given the shop sells "제주 감귤 5kg" at 30,000 won
    And Minji paid for "제주 감귤 5kg" with <platform>
    And Jisoo paid for "제주 감귤 5kg" with <platform>
    And the matcher formed group 5 of Minji and Jisoo
    When Minji confirms the purchase
    And Jisoo confirms the purchase
    Then group 5 is ready for settlement with 2 members
    And <platform> approved Minji's payment of 30,000 won once
    And <platform> refunded nothing to Minji

    Examples:
      | platform      |
      | KakaoPay      |
      | NaverPay      |
      | Open Banking  |
      | Toss Payments |
